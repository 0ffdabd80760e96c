"""Role predicates (django-rules). Object scoping lives in the selectors."""

import rules


@rules.predicate
def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_admin)


@rules.predicate
def is_office(user) -> bool:
    return bool(user and user.is_authenticated and user.is_office)


@rules.predicate
def is_unit_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.role == "staff" and user.unit_id)


is_admin_or_office = is_admin | is_office

rules.add_perm("accounts.manage_units", is_admin)
rules.add_perm("accounts.manage_users", is_admin)
