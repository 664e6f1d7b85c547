"""Every table of the sandbox on one metadata: the core's and each domain's `models.py`.

Alembic (corebank/migrations/env.py) and the sandbox reset import this module, so a new
domain adds its models module here.
"""

from __future__ import annotations

from corebank.bills import models as bills_models
from corebank.cards import models as cards_models
from corebank.core import models as core_models
from corebank.core.db import Base
from corebank.kyc import models as kyc_models
from corebank.partners import models as partners_models
from corebank.payments import models as payments_models
from corebank.referrals import models as referrals_models
from corebank.sandbox import models as sandbox_models
from corebank.secure_pages import models as secure_pages_models
from corebank.transfers import models as transfers_models
from corebank.webhooks import models as webhooks_models

MODELS = (core_models, bills_models, cards_models, kyc_models, payments_models, sandbox_models,
          secure_pages_models, transfers_models, webhooks_models, referrals_models, partners_models)

metadata = Base.metadata
