"""Learning from use: what agents used, as training examples (history), and a learned ranker fitted and judged on
the most recent of them (fitting)."""
