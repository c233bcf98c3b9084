"""The five hand-ins, one module each; ALL lists them by the name --assignment takes."""
from tools.handins.a4 import HANDIN as A4
from tools.handins.cs324 import HANDIN as CS324
from tools.handins.ee6123 import HANDIN as EE6123
from tools.handins.ie643 import HANDIN as IE643
from tools.handins.no_rnn_api import HANDIN as NO_RNN_API

ALL = {h.key: h for h in (A4, CS324, EE6123, IE643, NO_RNN_API)}
