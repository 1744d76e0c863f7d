"""annotty's benchmarks: ``make bench`` runs every ``bench/bench_*.py`` and prints figures
beside their targets. Times are medians over repeats; the machines are noisy."""
