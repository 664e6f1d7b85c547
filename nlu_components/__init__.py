"""Custom Rasa NLU components (referenced from config.yml by module path).

Loading them also applies our patches of Rasa's internals (assistant/rasa_patches.py), so that
every process that loads the model (`rasa run`, `rasa test` with the test stories, `rasa shell`)
runs the same patched Rasa; the channels apply them too (idempotent).
"""

from assistant import rasa_patches

rasa_patches.apply()
