from .adoption import *  # noqa: F403
from .adoption import __all__ as _adoption
from .exports import *  # noqa: F403
from .exports import __all__ as _exports
from .pilot import *  # noqa: F403
from .pilot import __all__ as _pilot
from .quarterly import *  # noqa: F403
from .quarterly import __all__ as _quarterly
from .rollups import *  # noqa: F403
from .rollups import __all__ as _rollups

__all__ = [*_rollups, *_exports, *_pilot, *_quarterly, *_adoption]
