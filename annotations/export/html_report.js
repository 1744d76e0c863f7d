(function () {
  "use strict";
  // Nothing here runs per span at load: the page reads the same without this script.

  // Hover: a claim's labels are in the title of its first piece only (data-c of every piece
  // names it), which keeps the file small; the first time the pointer rests on a piece, its
  // title becomes the labels of every claim and entity under the pointer, innermost first.
  var docs = document.getElementById("docs");
  if (docs) {
    docs.addEventListener("mouseover", function (event) {
      var piece = event.target;
      if (!piece.getAttribute || piece.hasAttribute("data-hover")) { return; }
      var lines = [];
      for (var el = piece; el && el.classList && !el.classList.contains("text");
        el = el.parentElement) {
        var anchor = el.getAttribute("data-c");
        if (anchor !== null) {
          var head = document.getElementById(anchor);
          if (head) { lines.push(head.getAttribute("data-title") || head.title); }
        } else if (el.classList.contains("e")) {
          lines.push(el.getAttribute("data-title") || el.title);
        }
      }
      if (!lines.length) { return; }
      if (piece.title && !piece.hasAttribute("data-title")) {
        piece.setAttribute("data-title", piece.title);
      }
      piece.setAttribute("data-hover", "");
      piece.title = lines.join("\n\n");
    });
  }

  // Filters: a checkbox hides the claims of one review status (s-NAME) or type (tN) by a
  // class on <body>; the rule is added once, on the first change.
  var form = document.getElementById("filters");
  if (!form) { return; }
  form.hidden = false;
  var sheet = document.styleSheets[0];
  var made = {};
  form.addEventListener("change", function (event) {
    var box = event.target;
    var key = box.getAttribute("data-k") || "";
    if (!/^(s-[a-z]+|t[0-9]+)$/.test(key)) { return; }
    if (!made[key]) {
      made[key] = true;
      var scope = ".hide-" + key + " ";
      sheet.insertRule(scope + ".c." + key + " { background: none; }", sheet.cssRules.length);
      sheet.insertRule(scope + ".c.h." + key + "::before { display: none; }", sheet.cssRules.length);
      sheet.insertRule(scope + "tr." + key + " { display: none; }", sheet.cssRules.length);
    }
    document.body.classList.toggle("hide-" + key, !box.checked);
  });
}());
