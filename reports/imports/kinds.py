"""The imports: units, users, clusters, criteria sets, targets and allocations."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Unit, User
from accounts.selectors import units_visible_to, users_visible_to
from campaigns.models import Cluster, ClusterMember, Criterion
from campaigns.rules import manages_campaign
from targets.models import Target, TargetAllocation

from .base import Column, Counts, Importer, ParsedRow, SheetSpec
from .forms import AllocationRowForm, ClusterRowForm, CriterionRowForm, TargetRowForm, UnitRowForm, UserRowForm

LEVEL_ALIASES = {
    "tỉnh đoàn": "province", "tỉnh": "province",
    "huyện đoàn": "district", "thị đoàn": "district", "thành đoàn": "district", "huyện": "district",
    "đoàn khối": "block", "trực thuộc": "block", "đoàn trực thuộc": "block",
    "đoàn cơ sở": "grassroots", "cơ sở": "grassroots",
    "chi đoàn": "branch",
}
ROLE_ALIASES = {
    "quản trị": "admin", "quản trị viên": "admin",
    "văn phòng": "office", "thẩm định": "office", "cán bộ văn phòng": "office",
    "cán bộ đơn vị": "staff", "đơn vị": "staff", "cán bộ": "staff",
}
KIND_ALIASES = {"mục": "section", "phần": "section", "tiêu chí": "criterion"}
METHOD_ALIASES = {
    "đạt/không đạt": "binary", "đạt / không đạt": "binary", "đạt": "binary",
    "số lượng": "quantity", "định lượng": "quantity",
    "đánh giá": "judgement", "thẩm định": "judgement",
}
CATEGORY_ALIASES = {"cơ bản": "base", "thưởng": "bonus", "điểm thưởng": "bonus", "trừ": "penalty",
                    "điểm trừ": "penalty"}
TARGET_KIND_ALIASES = {"số lượng": "count", "tỷ lệ": "percentage", "tỉ lệ": "percentage",
                       "tối thiểu mỗi đơn vị": "per_unit_min"}


def _find_loop(code: str, parent_of) -> list[str] | None:
    """The chain of codes from ``code`` back to itself, if following parents loops."""
    seen = [code]
    current = parent_of(code)
    while current:
        if current == code:
            return seen + [code]
        if current in seen:
            return None  # a loop further up; reported on its own members
        seen.append(current)
        current = parent_of(current)
    return None


def _tree_order(codes: list[str], parent_of) -> list[str]:
    """Codes ordered so that every parent in the list comes before its children."""
    wanted = set(codes)
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        # Iterative, and bounded by the number of codes, so a loop (already
        # reported as an error) cannot recurse forever.
        chain = []
        current = code
        while current in wanted and current not in depth and len(chain) <= len(wanted):
            chain.append(current)
            current = parent_of(current)
        base = depth.get(current, -1) if current in wanted else -1
        for item in reversed(chain):
            base += 1
            depth[item] = base
        return depth[code]

    return sorted(codes, key=depth_of)


class UnitImporter(Importer):
    key = "units"
    label = gettext_lazy("Units")
    description = gettext_lazy("The unit tree: each unit with the code of its parent unit.")
    sheets = (
        SheetSpec("Đơn vị", (
            Column("code", "Mã đơn vị", True, "GR-21", "Duy nhất, tối đa 32 ký tự."),
            Column("name", "Tên đơn vị", True, "Đoàn xã Thạnh Hưng", ""),
            Column("level", "Cấp", True, "Đoàn cơ sở",
                   "Tỉnh đoàn, Huyện đoàn (Thị, Thành đoàn), Đoàn khối, Đoàn cơ sở hoặc Chi đoàn.",
                   aliases=LEVEL_ALIASES),
            Column("parent_code", "Mã đơn vị cấp trên", False, "HD-GR",
                   "Mã của đơn vị cấp trên, có sẵn hoặc ở một dòng khác của tệp."),
            Column("member_count", "Số đoàn viên", False, 120, "Số nguyên, để trống là 0.", default=0),
            Column("email", "E-mail", False, "thanhhung@example.org", ""),
        )),
    )
    fields = ["name", "level", "parent_id", "member_count", "email"]

    @classmethod
    def permitted(cls, user, campaign=None) -> bool:
        return user.has_perm("accounts.manage_units")

    def validate(self, rows):
        sheet = self.sheets[0]
        existing = {unit.code: unit for unit in Unit.objects.all()}
        visible = set(units_visible_to(self.user).values_list("pk", flat=True))
        parent_code_of = dict.fromkeys(existing)
        by_id = {unit.pk: unit.code for unit in existing.values()}
        for unit in existing.values():
            parent_code_of[unit.code] = by_id.get(unit.parent_id)
        self.plan: dict[str, tuple[ParsedRow, Unit, dict]] = {}
        file_parent: dict[str, str | None] = {}
        row_form = UnitRowForm()
        for row in rows[sheet.name]:
            code = row.values.get("code", "")
            instance = existing.get(code)
            if code in self.plan:
                self.error(sheet, row, "code", _("the code “%(code)s” already appears in row %(row)s.")
                           % {"code": code, "row": self.plan[code][0].number})
                continue
            if instance is not None and instance.pk not in visible:
                self.error(sheet, row, "code", _("unit “%(code)s” is outside the units you manage.") % {"code": code})
                continue
            old = self.snapshot(instance, self.fields)
            form = row_form.bind(row.values, instance or Unit())
            if not form.is_valid():
                self.form_errors(sheet, row, form)
                continue
            self.plan[code] = (row, form.instance, old)
            file_parent[code] = form.cleaned_data["parent_code"] or None
        for code, (row, _form, _old) in self.plan.items():
            parent = file_parent[code]
            if parent is None:
                if existing.get(code) is None and not self.user.is_admin:
                    self.error(sheet, row, "parent_code", _("only an administrator can add a top-level unit."))
                continue
            if parent == code:
                self.error(sheet, row, "parent_code", _("a unit cannot be its own parent."))
            elif parent not in self.plan and parent not in existing:
                self.error(sheet, row, "parent_code", _("unit code “%(code)s” does not exist.") % {"code": parent})
            elif parent not in self.plan and existing[parent].pk not in visible:
                self.error(sheet, row, "parent_code",
                           _("unit “%(code)s” is outside the units you manage.") % {"code": parent})

        def parent_of(code):
            return file_parent[code] if code in file_parent else parent_code_of.get(code)

        if not self.errors:
            for code, (row, _form, _old) in self.plan.items():
                loop = _find_loop(code, parent_of)
                if loop:
                    self.error(sheet, row, "parent_code", _("the parent codes form a loop: %(loop)s.")
                               % {"loop": " → ".join(loop)})
        self.order = _tree_order(list(self.plan), parent_of)
        self.parent_of = parent_of

    def apply(self):
        counts = Counts()
        saved: dict[str, Unit] = {}
        moved: list[Unit] = []
        for code in self.order:
            row, unit, old = self.plan[code]
            parent_code = self.parent_of(code)
            if parent_code is None:
                unit.parent = None
            elif parent_code in saved:
                unit.parent = saved[parent_code]
            else:
                unit.parent = Unit.objects.get(code=parent_code)
            if unit.pk is None:
                unit.save()
                counts.created += 1
            elif self.changed(unit, old, self.fields):
                unit.save()
                counts.updated += 1
                if unit.parent_id != old["parent_id"]:
                    moved.append(unit)
            else:
                counts.unchanged += 1
            saved[code] = unit
        for unit in moved:
            _refresh_subtree_paths(unit)
        return {self.sheets[0].name: counts}


def _refresh_subtree_paths(root: Unit) -> None:
    """Recompute the materialised paths below a unit that moved to another parent."""
    frontier = [root]
    while frontier:
        children = list(Unit.objects.filter(parent__in=frontier))
        by_id = {unit.pk: unit for unit in frontier}
        for child in children:
            parent = by_id[child.parent_id]
            child.path = f"{parent.path}{child.pk}/"
            child.depth = child.path.count("/") - 2
        Unit.objects.bulk_update(children, ["path", "depth"])
        frontier = children


class UserImporter(Importer):
    key = "users"
    label = gettext_lazy("Users")
    description = gettext_lazy("Accounts with their unit and role. New accounts get no password until one is set.")
    sheets = (
        SheetSpec("Người dùng", (
            Column("username", "Tên đăng nhập", True, "thanhhung", "Chữ, số và @ . + - _; không dấu cách."),
            Column("full_name", "Họ và tên", True, "Nguyễn Văn An", ""),
            Column("email", "E-mail", False, "an.nguyen@example.org", ""),
            Column("unit_code", "Mã đơn vị", True, "GR-02", "Mã của một đơn vị đã có."),
            Column("role", "Vai trò", True, "Cán bộ đơn vị",
                   "Quản trị, Văn phòng (thẩm định) hoặc Cán bộ đơn vị.", aliases=ROLE_ALIASES),
            Column("position", "Chức vụ", False, "Bí thư Đoàn xã", ""),
            Column("phone", "Số điện thoại", False, "0912345678", ""),
        )),
    )
    fields = ["full_name", "email", "role", "position", "phone", "unit_id"]

    @classmethod
    def permitted(cls, user, campaign=None) -> bool:
        return user.has_perm("accounts.manage_users")

    def validate(self, rows):
        sheet = self.sheets[0]
        sheet_rows = rows[sheet.name]
        names = {row.values.get("username", "") for row in sheet_rows}
        existing = {user.username: user for user in User.objects.filter(username__in=names)}
        visible_users = set(users_visible_to(self.user).filter(username__in=names).values_list("pk", flat=True))
        units = {unit.code: unit for unit in units_visible_to(self.user)}
        self.plan: list[tuple[User, dict]] = []
        seen: dict[str, int] = {}
        row_form = UserRowForm()
        for row in sheet_rows:
            username = row.values.get("username", "")
            if username in seen:
                self.error(sheet, row, "username", _("the user name “%(name)s” already appears in row %(row)s.")
                           % {"name": username, "row": seen[username]})
                continue
            seen[username] = row.number
            instance = existing.get(username)
            if instance is not None and instance.pk not in visible_users:
                self.error(sheet, row, "username", _("the user name “%(name)s” is taken by an account outside "
                                                     "the units you manage.") % {"name": username})
                continue
            old = self.snapshot(instance, self.fields)
            form = row_form.bind(row.values, instance or User())
            if not form.is_valid():
                self.form_errors(sheet, row, form)
                continue
            unit = units.get(form.cleaned_data["unit_code"])
            if unit is None:
                self.error(sheet, row, "unit_code", _("unit code “%(code)s” does not exist.")
                           % {"code": form.cleaned_data["unit_code"]})
                continue
            if form.instance.role == User.Role.ADMIN and not self.user.is_admin:
                self.error(sheet, row, "role", _("only an administrator can give the administrator role."))
                continue
            form.instance.unit = unit
            self.plan.append((form.instance, old))

    def apply(self):
        counts = Counts()
        for user, old in self.plan:
            if user.pk is None:
                user.set_unusable_password()
                user.save()
                counts.created += 1
            elif self.changed(user, old, self.fields):
                user.save(update_fields=["full_name", "email", "role", "position", "phone", "unit"])
                counts.updated += 1
            else:
                counts.unchanged += 1
        return {self.sheets[0].name: counts}


class CampaignImporter(Importer):
    needs_campaign = True

    @classmethod
    def permitted(cls, user, campaign=None) -> bool:
        return campaign is not None and manages_campaign(user, campaign)


class ClusterImporter(CampaignImporter):
    key = "clusters"
    label = gettext_lazy("Clusters")
    description = gettext_lazy("The campaign's clusters: member unit codes, leader and deputy.")
    sheets = (
        SheetSpec("Cụm thi đua", (
            Column("name", "Tên cụm", True, "Cụm thi đua số 1", "Duy nhất trong phong trào."),
            Column("order", "Thứ tự", False, 1, "Số thứ tự hiển thị; để trống là 1.", default=1),
            Column("unit_codes", "Mã các đơn vị", True, "GR-01, GR-02, GR-03, GR-04, GR-05",
                   "Các mã đơn vị thành viên, cách nhau bằng dấu phẩy."),
            Column("leader_code", "Mã cụm trưởng", False, "GR-01", "Một đơn vị trong cụm."),
            Column("deputy_code", "Mã cụm phó", False, "GR-02", "Một đơn vị trong cụm."),
            Column("follower_username", "Tên đăng nhập cán bộ phụ trách", False, "reviewer",
                   "Cán bộ văn phòng theo dõi cụm."),
        )),
    )
    fields = ["order", "leader_unit_id", "deputy_unit_id", "follower_id"]

    def validate(self, rows):
        sheet = self.sheets[0]
        campaign = self.campaign
        existing = {cluster.name: cluster for cluster in Cluster.objects.filter(campaign=campaign)}
        units = {unit.code: unit for unit in units_visible_to(self.user)}
        members = {
            m.unit_id: m.cluster for m in ClusterMember.objects.filter(campaign=campaign).select_related("cluster")
        }
        current = {c.pk: set() for c in existing.values()}
        for unit_id, cluster in members.items():
            current[cluster.pk].add(unit_id)
        self.plan: list[tuple[Cluster, dict, set[int], set[int]]] = []
        placed: dict[str, tuple[str, int]] = {}
        names: dict[str, int] = {}
        file_clusters = set()
        row_form = ClusterRowForm()
        for row in rows[sheet.name]:
            name = row.values.get("name", "")
            if name in names:
                self.error(sheet, row, "name", _("the cluster “%(name)s” already appears in row %(row)s.")
                           % {"name": name, "row": names[name]})
                continue
            names[name] = row.number
            instance = existing.get(name)
            if instance is not None:
                file_clusters.add(instance.pk)
            old = self.snapshot(instance, self.fields)
            form = row_form.bind(row.values, instance or Cluster(campaign=campaign))
            if not form.is_valid():
                self.form_errors(sheet, row, form)
                continue
            data = form.cleaned_data
            member_ids: set[int] = set()
            for code in data["unit_codes"]:
                unit = units.get(code)
                if unit is None:
                    self.error(sheet, row, "unit_codes", _("unit code “%(code)s” does not exist.") % {"code": code})
                    continue
                if code in placed and placed[code][0] != name:
                    self.error(sheet, row, "unit_codes", _("unit “%(code)s” is also listed in row %(row)s.")
                               % {"code": code, "row": placed[code][1]})
                    continue
                placed[code] = (name, row.number)
                member_ids.add(unit.pk)
            cluster = form.instance
            for key, attr in (("leader_code", "leader_unit"), ("deputy_code", "deputy_unit")):
                code = data[key]
                if not code:
                    setattr(cluster, attr, None)
                elif code not in data["unit_codes"]:
                    self.error(sheet, row, key, _("unit “%(code)s” is not one of the cluster's units.")
                               % {"code": code})
                elif code in units:
                    setattr(cluster, attr, units[code])
            follower = data["follower_username"]
            if follower:
                user = users_visible_to(self.user).filter(username=follower).first()
                if user is None:
                    self.error(sheet, row, "follower_username", _("user “%(name)s” does not exist.")
                               % {"name": follower})
                else:
                    cluster.follower = user
            else:
                cluster.follower = None
            self.plan.append((cluster, old, member_ids, current.get(cluster.pk, set())))
        # A unit may move between clusters of the file, but not out of a cluster the file leaves alone.
        for cluster, _old, member_ids, _current in self.plan:
            row_number = names[cluster.name]
            row = next(r for r in rows[sheet.name] if r.number == row_number)
            for unit_id in member_ids:
                other = members.get(unit_id)
                if other is not None and other.pk not in file_clusters:
                    code = next(c for c, u in units.items() if u.pk == unit_id)
                    self.error(sheet, row, "unit_codes",
                               _("unit “%(code)s” is already in the cluster “%(cluster)s” of this campaign.")
                               % {"code": code, "cluster": other.name})

    def apply(self):
        counts = Counts()
        campaign = self.campaign
        # Memberships leaving a cluster first, so that moves between clusters never collide.
        for cluster, _old, member_ids, current in self.plan:
            if cluster.pk is not None and current - member_ids:
                ClusterMember.objects.filter(cluster=cluster, unit_id__in=current - member_ids).delete()
        for cluster, old, member_ids, current in self.plan:
            if cluster.pk is None:
                cluster.save()
                counts.created += 1
            elif self.changed(cluster, old, self.fields) or member_ids != current:
                cluster.save()
                counts.updated += 1
            else:
                counts.unchanged += 1
            ClusterMember.objects.bulk_create(
                [ClusterMember(campaign=campaign, cluster=cluster, unit_id=uid) for uid in member_ids - current]
            )
        return {self.sheets[0].name: counts}


class CriterionImporter(CampaignImporter):
    key = "criteria"
    label = gettext_lazy("Criteria set")
    description = gettext_lazy("Sections and criteria in reading order, each with the code of its parent section.")
    sheets = (
        SheetSpec("Tiêu chí", (
            Column("code", "Mã", True, "I.1", "Duy nhất trong phong trào, ví dụ I, I.1, II.3.b."),
            Column("parent_code", "Mã mục cha", False, "I", "Mã của một mục (loại “Mục”)."),
            Column("title", "Nội dung", True, "Tổ chức sinh hoạt chi đoàn định kỳ hằng tháng", ""),
            Column("kind", "Loại", False, "Tiêu chí", "Mục hoặc Tiêu chí; để trống là Tiêu chí.",
                   default="criterion", aliases=KIND_ALIASES),
            Column("max_points", "Điểm tối đa", False, 10, "Số không âm, để trống là 0.", default=0),
            Column("method", "Cách chấm", False, "Đánh giá",
                   "Đạt/không đạt, Số lượng (so với chỉ tiêu) hoặc Đánh giá; để trống là Đạt/không đạt.",
                   default="binary", aliases=METHOD_ALIASES),
            Column("category", "Nhóm điểm", False, "Cơ bản", "Cơ bản, Thưởng hoặc Trừ; để trống là Cơ bản.",
                   default="base", aliases=CATEGORY_ALIASES),
            Column("evidence_required", "Minh chứng cần có", False, "Biên bản sinh hoạt chi đoàn", ""),
            Column("target_quantity", "Số lượng đạt điểm tối đa", False, "",
                   "Với cách chấm Số lượng không gắn chỉ tiêu."),
            Column("target_code", "Mã chỉ tiêu", False, "", "Chỉ tiêu của phong trào mà tiêu chí đo."),
        )),
    )
    fields = ["parent_id", "title", "kind", "max_points", "method", "category", "evidence_required",
              "target_quantity", "target_id", "order"]

    def validate(self, rows):
        sheet = self.sheets[0]
        existing = {c.code: c for c in Criterion.objects.filter(campaign=self.campaign)}
        by_id = {c.pk: c.code for c in existing.values()}
        targets = {t.code: t for t in Target.objects.filter(campaign=self.campaign)}
        self.plan: dict[str, tuple[ParsedRow, Criterion, dict]] = {}
        file_parent: dict[str, str | None] = {}
        row_form = CriterionRowForm()
        for position, row in enumerate(rows[sheet.name], start=1):
            code = row.values.get("code", "")
            if code in self.plan:
                self.error(sheet, row, "code", _("the code “%(code)s” already appears in row %(row)s.")
                           % {"code": code, "row": self.plan[code][0].number})
                continue
            instance = existing.get(code)
            old = self.snapshot(instance, self.fields)
            form = row_form.bind(row.values, instance or Criterion(campaign=self.campaign))
            if not form.is_valid():
                self.form_errors(sheet, row, form)
                continue
            criterion = form.instance
            criterion.order = position
            target_code = form.cleaned_data["target_code"]
            criterion.target = None
            if target_code:
                criterion.target = targets.get(target_code)
                if criterion.target is None:
                    self.error(sheet, row, "target_code", _("target code “%(code)s” does not exist in this "
                                                            "campaign.") % {"code": target_code})
            if (criterion.kind == Criterion.Kind.CRITERION and criterion.method == Criterion.Method.QUANTITY
                    and criterion.target_quantity is None and not target_code):
                self.error(sheet, row, "target_quantity",
                           _("a quantity criterion needs a target quantity or a linked target."))
            self.plan[code] = (row, criterion, old)
            file_parent[code] = form.cleaned_data["parent_code"] or None

        def kind_of(code):
            return self.plan[code][1].kind if code in self.plan else existing[code].kind

        for code, (row, _criterion, _old) in self.plan.items():
            parent = file_parent[code]
            if parent is None:
                continue
            if parent == code:
                self.error(sheet, row, "parent_code", _("a criterion cannot be its own parent."))
            elif parent not in self.plan and parent not in existing:
                self.error(sheet, row, "parent_code", _("criterion code “%(code)s” does not exist in this "
                                                        "campaign.") % {"code": parent})
            elif kind_of(parent) != Criterion.Kind.SECTION:
                self.error(sheet, row, "parent_code", _("“%(code)s” is a criterion, not a section; only a "
                                                        "section can contain items.") % {"code": parent})

        def parent_of(code):
            if code in file_parent:
                return file_parent[code]
            criterion = existing.get(code)
            return by_id.get(criterion.parent_id) if criterion else None

        if not self.errors:
            for code, (row, _criterion, _old) in self.plan.items():
                loop = _find_loop(code, parent_of)
                if loop:
                    self.error(sheet, row, "parent_code", _("the parent codes form a loop: %(loop)s.")
                               % {"loop": " → ".join(loop)})
        self.order = _tree_order(list(self.plan), parent_of)
        self.parent_of = parent_of
        self.existing = existing

    def apply(self):
        counts = Counts()
        saved: dict[str, Criterion] = {}
        for code in self.order:
            _row, criterion, old = self.plan[code]
            parent_code = self.parent_of(code)
            criterion.parent = saved.get(parent_code) or self.existing.get(parent_code) if parent_code else None
            if criterion.pk is None:
                criterion.save()
                counts.created += 1
            elif self.changed(criterion, old, self.fields):
                criterion.save()
                counts.updated += 1
            else:
                counts.unchanged += 1
            saved[code] = criterion
        return {self.sheets[0].name: counts}


class TargetImporter(CampaignImporter):
    key = "targets"
    label = gettext_lazy("Targets and allocations")
    description = gettext_lazy("The campaign's targets and, on a second sheet, the amount allocated to each unit.")
    sheets = (
        SheetSpec("Chỉ tiêu", (
            Column("code", "Mã chỉ tiêu", True, "3", "Duy nhất trong phong trào."),
            Column("name", "Tên chỉ tiêu", True, "Trồng mới cây xanh", ""),
            Column("unit_of_measure", "Đơn vị tính", True, "cây", "Ví dụ: cây, lượt, công trình, %."),
            Column("kind", "Loại", False, "Số lượng",
                   "Số lượng, Tỷ lệ hoặc Tối thiểu mỗi đơn vị; để trống là Số lượng.",
                   default="count", aliases=TARGET_KIND_ALIASES),
            Column("total", "Tổng chỉ tiêu", True, 27000, "Số không âm; với Tỷ lệ là tỷ lệ cần đạt."),
            Column("description", "Ghi chú", False, "", ""),
        )),
        SheetSpec("Phân bổ", (
            Column("target_code", "Mã chỉ tiêu", True, "3", "Mã ở trang Chỉ tiêu hoặc đã có."),
            Column("unit_code", "Mã đơn vị", True, "GR-01", "Đơn vị nhận chỉ tiêu."),
            Column("amount", "Số lượng", True, 1350, "Số không âm."),
        ), required=False),
    )
    fields = ["name", "unit_of_measure", "kind", "total", "description", "order"]

    def validate(self, rows):
        targets_sheet, allocation_sheet = self.sheets
        existing = {t.code: t for t in Target.objects.filter(campaign=self.campaign)}
        self.targets: dict[str, tuple[ParsedRow, Target, dict]] = {}
        row_form = TargetRowForm()
        for position, row in enumerate(rows[targets_sheet.name], start=1):
            code = row.values.get("code", "")
            if code in self.targets:
                self.error(targets_sheet, row, "code", _("the code “%(code)s” already appears in row %(row)s.")
                           % {"code": code, "row": self.targets[code][0].number})
                continue
            instance = existing.get(code)
            old = self.snapshot(instance, self.fields)
            form = row_form.bind(row.values, instance or Target(campaign=self.campaign))
            if not form.is_valid():
                self.form_errors(targets_sheet, row, form)
                continue
            form.instance.order = position
            self.targets[code] = (row, form.instance, old)
        allocation_rows = rows[allocation_sheet.name]
        units = {u.code: u.pk for u in units_visible_to(self.user).only("pk", "code")}
        target_ids = {t.pk for t in existing.values()}
        current = {
            (target_id, unit_id): (pk, amount)
            for pk, target_id, unit_id, amount in TargetAllocation.objects.filter(
                target_id__in=target_ids).values_list("pk", "target_id", "unit_id", "amount")
        }
        self.allocations: list[tuple[str, int, Decimal]] = []
        seen: dict[tuple[str, str], int] = {}
        known_targets = set(self.targets) | set(existing)
        allocation_form = AllocationRowForm()
        for row in allocation_rows:
            form = allocation_form.bind(row.values, TargetAllocation())
            if not form.is_valid():
                self.form_errors(allocation_sheet, row, form)
                continue
            target_code = form.cleaned_data["target_code"]
            unit_code = form.cleaned_data["unit_code"]
            ok = True
            if target_code not in known_targets:
                self.error(allocation_sheet, row, "target_code",
                           _("target code “%(code)s” does not exist in this campaign.") % {"code": target_code})
                ok = False
            unit_id = units.get(unit_code)
            if unit_id is None:
                self.error(allocation_sheet, row, "unit_code",
                           _("unit code “%(code)s” does not exist.") % {"code": unit_code})
                ok = False
            if (target_code, unit_code) in seen:
                self.error(allocation_sheet, row, "unit_code",
                           _("this target is already allocated to “%(code)s” in row %(row)s.")
                           % {"code": unit_code, "row": seen[(target_code, unit_code)]})
                ok = False
            seen[(target_code, unit_code)] = row.number
            if ok:
                self.allocations.append((target_code, unit_id, form.instance.amount))
        self.existing = existing
        self.current_allocations = current

    def apply(self):
        targets_sheet, allocation_sheet = self.sheets
        target_counts = Counts()
        by_code = dict(self.existing)
        for code, (_row, target, old) in self.targets.items():
            if target.pk is None:
                target.save()
                target_counts.created += 1
            elif self.changed(target, old, self.fields):
                target.save()
                target_counts.updated += 1
            else:
                target_counts.unchanged += 1
            by_code[code] = target
        allocation_counts = Counts()
        create: list[TargetAllocation] = []
        update: list[TargetAllocation] = []
        for target_code, unit_id, amount in self.allocations:
            target_id = by_code[target_code].pk
            found = self.current_allocations.get((target_id, unit_id))
            if found is None:
                create.append(TargetAllocation(target_id=target_id, unit_id=unit_id, amount=amount))
            elif found[1] != amount:
                update.append(TargetAllocation(pk=found[0], target_id=target_id, unit_id=unit_id, amount=amount))
            else:
                allocation_counts.unchanged += 1
        TargetAllocation.objects.bulk_create(create, batch_size=2000)
        TargetAllocation.objects.bulk_update(update, ["amount"], batch_size=2000)
        allocation_counts.created = len(create)
        allocation_counts.updated = len(update)
        return {targets_sheet.name: target_counts, allocation_sheet.name: allocation_counts}


IMPORTERS: dict[str, type[Importer]] = {
    cls.key: cls for cls in (UnitImporter, UserImporter, ClusterImporter, CriterionImporter, TargetImporter)
}
