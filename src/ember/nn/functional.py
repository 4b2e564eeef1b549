"""ember.nn.functional: the functional forms of every layer, gathered from one file per family."""

from ember.nn._functional.activation import *  # noqa: F401,F403
from ember.nn._functional.attention import *  # noqa: F401,F403
from ember.nn._functional.conv import *  # noqa: F401,F403
from ember.nn._functional.core import *  # noqa: F401,F403
from ember.nn._functional.loss import *  # noqa: F401,F403
from ember.nn._functional.normalization import *  # noqa: F401,F403
