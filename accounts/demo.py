"""Demo units and accounts: the Giồng Riềng district office and its grassroots units.

Used by ``manage.py seed_demo`` only; the accounts exist only in demo data.
"""

from .models import Unit, User

DEMO_PASSWORD = "thidua-demo"

PROVINCE = ("TD-KG", "Tỉnh đoàn Kiên Giang")
DISTRICTS = [
    ("HD-GR", "Huyện đoàn Giồng Riềng", 2400),
    ("HD-GQ", "Huyện đoàn Gò Quao", 1900),
    ("HD-TH", "Huyện đoàn Tân Hiệp", 2100),
    ("HD-CT", "Huyện đoàn Châu Thành", 2300),
    ("TD-RG", "Thành đoàn Rạch Giá", 3200),
    ("DK-CQ", "Đoàn Khối các cơ quan tỉnh", 1500),
]
GRASSROOTS = [
    "Thị trấn Giồng Riềng", "Xã Thạnh Hưng", "Xã Thạnh Phước", "Xã Thạnh Lộc", "Xã Thạnh Hòa",
    "Xã Thạnh Bình", "Xã Bàn Tân Định", "Xã Ngọc Thành", "Xã Ngọc Chúc", "Xã Ngọc Thuận",
    "Xã Hòa Hưng", "Xã Hòa Lợi", "Xã Hòa An", "Xã Long Thạnh", "Xã Vĩnh Thạnh",
    "Xã Vĩnh Phú", "Xã Hòa Thuận", "Xã Ngọc Hòa", "Xã Bàn Thạch", "Trường THPT Giồng Riềng",
]


def grassroots_code(index: int) -> str:
    return f"GR-{index:02d}"


def seed_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    province, _ = Unit.objects.update_or_create(
        code=PROVINCE[0], defaults={"name": PROVINCE[1], "level": Unit.Level.PROVINCE, "parent": None,
                                    "member_count": 45000}
    )
    units[province.code] = province
    for code, name, members in DISTRICTS:
        level = Unit.Level.BLOCK if code.startswith("DK") else Unit.Level.DISTRICT
        units[code], _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "parent": province, "member_count": members}
        )
    district = units["HD-GR"]
    for index, place in enumerate(GRASSROOTS, start=1):
        name = f"Đoàn {place}" if place.startswith("Trường") else f"Đoàn {place.replace('Xã', 'xã').replace('Thị trấn', 'thị trấn')}"
        units[grassroots_code(index)], _ = Unit.objects.update_or_create(
            code=grassroots_code(index),
            defaults={"name": name, "level": Unit.Level.GRASSROOTS, "parent": district,
                      "member_count": 80 + (index * 37) % 120, "email": f"gr{index:02d}@example.org"},
        )
    for branch_index in (1, 2, 3):
        code = f"GR-01-CD{branch_index}"
        units[code], _ = Unit.objects.update_or_create(
            code=code,
            defaults={"name": f"Chi đoàn Ấp {branch_index}", "level": Unit.Level.BRANCH,
                      "parent": units["GR-01"], "member_count": 25 + branch_index * 4},
        )
    return units


def _account(username, *, full_name, unit, role, position, email) -> User:
    user, created = User.objects.get_or_create(username=username)
    user.full_name = full_name
    user.unit = unit
    user.role = role
    user.position = position
    user.email = email
    user.is_active = True
    user.is_staff = role == User.Role.ADMIN
    user.is_superuser = role == User.Role.ADMIN
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def seed_accounts(units: dict[str, Unit]) -> dict[str, User]:
    """The four demo accounts of the README, plus one staff account per grassroots unit."""
    accounts = {
        "admin": _account("admin", full_name="Quản trị hệ thống", unit=units["TD-KG"], role=User.Role.ADMIN,
                          position="Quản trị viên", email="admin@example.org"),
        "reviewer": _account("reviewer", full_name="Võ Văn An", unit=units["HD-GR"], role=User.Role.OFFICE,
                             position="Phó Bí thư Huyện đoàn", email="reviewer@example.org"),
        "leader": _account("leader", full_name="Nguyễn Thị Hồng", unit=units["GR-01"], role=User.Role.STAFF,
                           position="Bí thư Đoàn thị trấn", email="leader@example.org"),
        "staff": _account("staff", full_name="Trần Văn Bình", unit=units["GR-02"], role=User.Role.STAFF,
                          position="Phó Bí thư Đoàn xã", email="staff@example.org"),
        "office2": _account("vanphong", full_name="Lê Minh Tâm", unit=units["HD-GR"], role=User.Role.OFFICE,
                            position="Chánh Văn phòng Huyện đoàn", email="vanphong@example.org"),
    }
    for index in range(3, len(GRASSROOTS) + 1):
        code = grassroots_code(index)
        accounts[code] = _account(
            f"gr{index:02d}", full_name=f"Cán bộ {units[code].name}", unit=units[code], role=User.Role.STAFF,
            position="Bí thư Đoàn cơ sở", email=f"gr{index:02d}@example.org",
        )
    return accounts


def seed(demo: dict) -> None:
    demo["units"] = seed_units()
    demo["accounts"] = seed_accounts(demo["units"])
