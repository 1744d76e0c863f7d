"""Closed word classes the rules reason with: titles, head nouns, function words, verbs, surnames.

These are grammar, not gazetteers: short, language-level lists that no data package ships. Names of
places and organisations come from packages and ``data/known.yaml`` (see ``gazetteer.py``).
"""

from __future__ import annotations

import re


def words(text: str) -> frozenset[str]:
    """A word list written as text, one or more per line."""
    return frozenset(text.split())


# Capitalised function words that start sentences; a name never starts with one ("In Beijing").
STOPWORDS = words("""
A About Above According Across Additionally After Afterwards Again Against Ahead All Almost Along
Already Also Although Always Am Amid Among An And Another Any Are Around As Asked At Back Because
Before Behind Being Below Beneath Besides Between Beyond Both But By Can Certainly Clearly Could
Currently Dear Despite Did Do Does Doing During Each Earlier Either Else Elsewhere Even Eventually
Ever Every Everyone Everything Example Except Few Finally First For Following Fortunately From
Further Furthermore Given Had Has Have Having He Hence Her Here Hers Herself Him Himself His How
However I If In Including Indeed Initially Inside Instead Into Is It Its Itself Just Last Later
Lastly Let Like Likewise Many May Maybe Me Meanwhile Might Moreover Most Mostly Much Must My
Namely Near Neither Never Nevertheless Next No Nobody None Nonetheless Nor Not Notably Nothing Now
Of Off Often On Once One Only Onto Or Other Others Otherwise Our Ours Out Over Overall Per Perhaps
Please Plus Previously Rather Recently Regarding Since So Some Someone Something Sometimes Soon
Still Subsequently Such Suddenly Than Thanks That The Their Theirs Them Then There Thereafter
Therefore These They This Those Though Through Throughout Thus To Today Together Too Toward
Towards Under Unless Unlike Until Up Upon Us Usually Very Via Was We Were What Whatever When
Whenever Where Whereas Whether Which While Who Whoever Whom Whose Why Will With Within Without Would
Yes Yet You Your Yours She Tomorrow Yesterday Tonight Thereby Surely Similarly Specifically Still
Ultimately Undoubtedly Unfortunately Hopefully Interestingly Importantly Consequently Accordingly
Alternatively Apparently Essentially Generally Typically Personally Honestly Obviously
""")

# Words that name a role; before a name ("spokesperson Guo Jiakun") they mark a person.
TITLES = words("""
President Vice Premier Minister Chancellor Secretary Spokesperson Spokesman Spokeswoman Chairman
Chairwoman Chairperson Chair CEO CFO CTO COO Director Director-General Governor Mayor Senator
Congressman Congresswoman Ambassador Envoy King Queen Prince Princess Pope Emperor Empress Sultan
Sheikh Emir Dr Dr. Mr Mr. Mrs Mrs. Ms Ms. Prof Prof. Professor General Gen. Colonel Col. Admiral
Lieutenant Lt. Captain Capt. Major Sergeant Judge Justice Commissioner President-elect Member
Founder Co-founder Sir Dame Lord Lady Rep. Sen. Gov. Deputy Councillor Councilor Commander Marshal
Chief Dean Rector Provost Archbishop Bishop Cardinal Rabbi Imam Reverend Rev. Father Brother
Sister Ayatollah Chancellor-elect Premier-elect Speaker Treasurer Attorney Prosecutor Auditor
Superintendent Inspector Detective Officer Constable Coach Manager Editor Editor-in-Chief Anchor
Correspondent Reporter Columnist Analyst Economist Researcher Fellow Scholar Lawmaker Legislator
Delegate Deputy-Director Vice-President Vice-Premier Vice-Chairman Vice-Minister Secretary-General
""")

# Lower-case role nouns: "a research fellow", "her husband", "the spokesperson" (for appositives).
ROLES = (
    "spokesperson|spokesman|spokeswoman|president|vice president|premier|minister|chancellor|"
    "secretary|secretary-general|general secretary|chairman|chairwoman|chairperson|chair|ceo|"
    "director|director-general|governor|mayor|senator|ambassador|envoy|professor|researcher|"
    "research fellow|fellow|scholar|scientist|analyst|economist|expert|observer|commentator|"
    "columnist|correspondent|reporter|journalist|editor|writer|author|novelist|poet|artist|"
    "designer|founder|co-founder|owner|entrepreneur|executive|manager|general manager|head|"
    "leader|official|officer|member|deputy|vice|dean|principal|teacher|student|engineer|"
    "doctor|physician|lawyer|judge|prosecutor|lawmaker|legislator|diplomat|activist|farmer|"
    "villager|worker|resident|native|citizen|woman|man|girl|boy|mother|father|son|daughter|"
    "wife|husband|brother|sister|grandmother|grandfather|colleague|partner|friend|coach|player|"
    "athlete|singer|actor|actress|director|producer|inheritor|artisan|craftsman|embroiderer|"
    "chief|president-elect|prime minister|foreign minister|representative|delegate|consultant|"
    "adviser|advisor|specialist|inventor|pioneer|veteran|graduate|candidate|nominee|host|anchor"
)

# ", a senior research fellow at ..." after a name marks it as a person.
APPOSITIVE_PERSON = re.compile(
    rf",\s+(?:also\s+|now\s+|then\s+|formerly\s+)?(?:a|an|the|his|her|their|its)?\s*"
    rf"(?:[\w’'-]+\s+){{0,4}}?(?:{ROLES})\b",
    re.IGNORECASE,
)

_WORKS = "book|novel|film|movie|song|album|series|documentary|play|poem|painting|opera|show|essay"

# ", a book of excerpts ..." after a title marks a work of art.
APPOSITIVE_WORK = re.compile(
    rf",\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?:{_WORKS})\b", re.IGNORECASE
)

# Reporting verbs after a name mark a person: "Guo said", "Lü also told".
SPEECH_VERBS = words("""said says told tells noted notes added adds stated states stressed
stresses explained recalled emphasized emphasised expressed revealed wrote writes argued argues
asked replied warned urged insisted announced highlighted believes believed thinks thought
commented remarked claimed confirmed denied admitted acknowledged observed concluded suggested
declared maintained dismissed elaborated hoped vowed pledged""")
SPEECH_ADVERBS = words("also further then later once has had previously")

# Lower-case place nouns after a name: "Qianxi city", "Dingri county".
PLACE_NOUNS = words(
    "city county township village town province prefecture district region municipality"
)

# Head nouns: a capitalised run that ends in one of these is a name of that type.
ORG_HEADS = words("""
Academy Administration Agency Alliance Army Assembly Association Authority Bank Board Bureau
Cabinet Center Centre Chamber Church Club College Commission Committee Company Confederation
Congress Consortium Corporation Corps Council Court Department Embassy Consulate Federation
Foundation Fund Government Group Guard Holdings Hospital Institute Institution Laboratory League
Library Limited Ministry Movement Museum Navy Network Office Organisation Organization Parliament
Party Police Press Senate School Secretariat Service Society Syndicate Team Tribunal Trust Union
University Times Post Daily News Herald Journal Tribune Gazette Telegraph Agency Broadcasting
Television Radio Magazine Review Weekly Observer Media Studios Airlines Airways Motors Robotics
Technology Technologies Pharmaceuticals Pharmaceutical Electronics Semiconductor Semiconductors
Software Industries Logistics Telecom Telecommunications Communications Entertainment Energy
Petroleum Mining Chemicals Chemical Steel Capital Partners Ventures Investments Securities
Insurance Labs Systems Solutions Inc Inc. Ltd Ltd. Co Co. Corp Corp. LLC PLC plc GmbH AG SA NV
Therapeutics Biotech Biosciences Wire Air Force Forces Express Cooperative Co-operative
""")

# Bodies a country has one of, named by the word alone: "Parliament voted", "the Judiciary".
SOLE_BODIES = words("Parliament Congress Senate Cabinet Judiciary Treasury Pentagon")

# Government bodies keep a nationality word outside the name: "Chinese" + "Foreign Ministry".
GOV_HEADS = words(
    "Ministry Government Embassy Consulate Army Navy Police Department "
    "Administration Congress Parliament Cabinet"
)
EVENT_HEADS = words("""
Forum Summit Conference Games Olympics Olympiad Expo Exposition Festival Dialogue War Cup
Championship Championships Fair Day Week Revolution Uprising Marathon Biennale Tournament Show
Awards Congress Talks Massacre Incident Crisis Fest Symposium Convention Carnival
""") - {"Congress", "Convention"}
LAW_HEADS = words("""
Act Law Treaty Agreement Accord Accords Convention Declaration Charter Constitution Rule Rules
Regulation Regulations Directive Bill Protocol Plan Initiative Code Resolution Amendment Statute
Ordinance Doctrine Pact Framework Strategy Programme Program
""")
FAC_HEADS = words("""
Canal Bridge Airport Station Tower Towers Stadium Arena Square Palace Temple Hall Highway
Expressway Railway Port Harbour Harbor Dam Tunnel Wall Gate Building Cathedral Church Mosque
Pagoda Prison Base Pier Terminal Plaza Mall Observatory Monument Memorial Mausoleum Avenue Street
Road Boulevard
""")
LOC_HEADS = words("""
Sea Ocean River Lake Mountain Mountains Gulf Bay Strait Straits Island Islands Peninsula Desert
Valley Basin Plateau Coast Delta Range Plain Plains Canyon Falls Glacier Archipelago Reef Forest
Highlands Lowlands Steppe Sahara
""")
GPE_HEADS = words("""
Province City County Township Village District State Prefecture Municipality Region Town
Oblast Governorate Emirate Kingdom Republic Borough Parish Canton Commune
""")

HEAD_LABELS: dict[str, str] = {
    **{w: "GPE" for w in GPE_HEADS},
    **{w: "LOC" for w in LOC_HEADS},
    **{w: "FAC" for w in FAC_HEADS},
    **{w: "LAW" for w in LAW_HEADS},
    **{w: "EVENT" for w in EVENT_HEADS},
    **{w: "ORG" for w in ORG_HEADS},
}
# Industry words name companies only with a corporate suffix nearby; alone they are weak heads.
WEAK_HEADS = words("""
Motors Robotics Technology Technologies Pharmaceuticals Pharmaceutical Electronics Semiconductor
Semiconductors Software Industries Logistics Telecom Telecommunications Communications
Entertainment Energy Petroleum Mining Chemicals Chemical Steel Capital Partners Ventures
Investments Securities Insurance Labs Systems Solutions Media Studios Day Week Team Service
Network Review Observer Show Code Framework Strategy Programme Program Plan Base Range Town Press
""")
CORPORATE_SUFFIXES = words(
    "Inc Inc. Ltd Ltd. Co Co. Corp Corp. LLC PLC plc GmbH AG SA NV "
    "Limited Corporation Holdings Group Company"
)

DIRECTIONS = words(
    "North South East West Northeast Northwest Southeast Southwest Central "
    "Northern Southern Eastern Western Upper Lower Inner Outer"
)

# Common Chinese surnames in pinyin: with a pinyin given name they make a person's name.
SURNAMES = words("""
Ai An Ang Bai Ban Bao Bei Bi Bian Bo Cai Cao Cen Chai Chang Chao Che Chen Cheng Chi Chu Chui Cong
Cui Dai Dan Deng Di Diao Ding Dong Dou Du Duan Fan Fang Fei Feng Fu Gan Gao Ge Geng Gong Gou Gu
Guan Guo Han Hang Hao He Hong Hou Hu Hua Huang Hui Huo Ji Jia Jian Jiang Jiao Jin Jing Ju Kang
Ke Kong Kou Kuang Lai Lan Lang Lei Leng Li Lian Liang Liao Lin Ling Liu Long Lou Lu Lü Lv Luan
Luo Ma Mai Man Mao Mei Meng Mi Miao Min Ming Mo Mou Mu Na Ni Nie Ning Niu Ou Ouyang Pan Pang Pei
Peng Pi Ping Pu Qi Qian Qiao Qin Qing Qiu Qu Quan Ran Rao Ren Rong Ruan Rui Sha Shan Shang Shao
Shen Sheng Shi Shu Si Situ Song Su Sui Sun Tan Tang Tao Teng Tian Tong Tu Wan Wang Wei Wen Weng
Wu Xi Xia Xian Xiang Xiao Xie Xin Xing Xiong Xu Xuan Xue Yan Yang Yao Ye Yi Yin Ying Yong You Yu
Yuan Yue Yun Zang Zeng Zha Zhai Zhan Zhang Zhao Zhen Zheng Zhong Zhou Zhu Zhuang Zhuo Zi Zong Zou
Zu Zuo
""")

_INITIAL = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINAL = (
    "(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|üan|van|ai|ei|ao|ou|an|en|in|un|ün|"
    "ia|ie|iu|ua|uo|ue|üe|ve|ui|er|a|o|e|i|u|ü|v)"
)
_SYLLABLE = f"{_INITIAL}{_FINAL}"
# One or two pinyin syllables, as a Chinese given name is written: "Jiakun", "Yi", "Zhongping".
PINYIN_GIVEN = re.compile(rf"(?:{_SYLLABLE}){{1,2}}(?:-(?:{_SYLLABLE}))?", re.IGNORECASE)
