"""Old import path, kept only for demo/scoring.py: the assessment services now live in ``scoring.services``.

Remove this module once demo/scoring.py imports them from there.
"""

from .services import assessment_reopen, assessment_score, assessment_submit

__all__ = ["assessment_reopen", "assessment_score", "assessment_submit"]
