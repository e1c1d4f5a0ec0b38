"""Who may do what: the roles, the actions, and the one table that joins them. Data, not logic.

Streamlit's ``st.login`` says who someone is, never what they may do: that is kept in the store's
``users`` table (``store grant URL EMAIL ROLE``) and read by the write path (``write.py``) in the
transaction of each write. The roles are ranked, each allowed what the one below it is, and more:

- viewer: reads published claims; writes nothing;
- editor: adds claims, corrects them, changes their claim status, withdraws and restores them, and submits
  its drafts for review; never publishes;
- reviewer: all of the editor's, and publishes or rejects what is in review;
- admin: all of the reviewer's, and grants roles.
"""

from __future__ import annotations

ROLES: dict[str, str] = {
    "viewer": "reads published claims only",
    "editor": "adds, corrects, withdraws and restores claims; submits drafts for review; cannot publish",
    "reviewer": "an editor who also publishes or rejects what is in review",
    "admin": "a reviewer who also grants roles",
}
RANK = {role: rank for rank, role in enumerate(ROLES)}

# action -> (the least role allowed it, what it does)
ACTIONS: dict[str, tuple[str, str]] = {
    "add": ("editor", "add a claim"),
    "edit": ("editor", "correct a claim's fields"),
    "status": ("editor", "change a claim's claim status"),
    "withdraw": ("editor", "withdraw a claim: hidden from the map, kept with its history"),
    "restore": ("editor", "restore a withdrawn claim"),
    "submit": ("editor", "submit a draft for review"),
    "publish": ("reviewer", "publish a claim in review"),
    "reject": ("reviewer", "reject a claim in review, with a reason"),
    "grant": ("admin", "give someone a role"),
}

# The review states of a claim, apart from its claim status: what a reviewer has made of it.
REVIEW_STATES: dict[str, str] = {
    "draft": "added, not yet submitted for review; seen by its author and reviewers",
    "in_review": "waiting for a reviewer; seen by editors and reviewers",
    "published": "on everyone's map",
    "rejected": "refused by a reviewer, with a reason; seen by its author and reviewers",
}
# action -> (the review states it may start from, the state it leaves)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("draft", "rejected"), "in_review"),
    "publish": (("draft", "in_review"), "published"),
    "reject": (("draft", "in_review"), "rejected"),
}


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``; nobody (``None``, signed out or unknown) may do anything."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}: expected one of {', '.join(ACTIONS)}")
    if role not in RANK:
        return False
    return RANK[role] >= RANK[ACTIONS[action][0]]


def can_see_all(role: str | None) -> bool:
    """Reviewers and admins see every claim in every review state; the others see less (``review.visible``)."""
    return role in RANK and RANK[role] >= RANK["reviewer"]


def check_role(text: str) -> str:
    """``text`` as a role, or ``ValueError`` naming the roles there are."""
    role = text.strip().lower()
    if role not in ROLES:
        raise ValueError(f"unknown role {text!r}: expected one of {', '.join(ROLES)}")
    return role
