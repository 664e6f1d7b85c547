"""What the engine itself says (one line each): the flows' own questions and answers are in
the domain's responses."""

CORRECTED = "Got it, I've changed the {what}."
CHANGE_WHAT = ("What should I change? Send the new value, e.g. \"my name is …\", \"address: …\" "
               "or \"date of birth 03.05.1991\".")
