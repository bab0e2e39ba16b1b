"""Admin for the catalogue. A framework version in use is shown read-only."""

from django.contrib import admin

from .models import Framework, Quality, Scale, ScalePoint, Statement, Theme


def _framework_of(obj):
    if obj is None:
        return None
    if isinstance(obj, Framework):
        return obj
    if isinstance(obj, (Theme, Scale)):
        return obj.framework
    if isinstance(obj, Quality):
        return obj.theme.framework
    if isinstance(obj, Statement):
        return obj.quality.theme.framework
    if isinstance(obj, ScalePoint):
        return obj.scale.framework
    raise TypeError(obj)


class FrozenWhenInUseAdmin(admin.ModelAdmin):
    """Change and delete are refused for anything in a framework version that is in use."""

    def _in_use(self, obj):
        framework = _framework_of(obj)
        return framework is not None and framework.is_in_use()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._in_use(obj)


class ThemeInline(admin.TabularInline):
    model = Theme
    fields = ("order", "name", "slug")
    extra = 0
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(FrozenWhenInUseAdmin):
    list_display = ("name", "version", "slug", "in_use")
    inlines = [ThemeInline]

    @admin.display(boolean=True, description="In use")
    def in_use(self, obj):
        return obj.is_in_use()


class QualityInline(admin.TabularInline):
    model = Quality
    fields = ("order", "name")
    extra = 0
    show_change_link = True


@admin.register(Theme)
class ThemeAdmin(FrozenWhenInUseAdmin):
    list_display = ("name", "order", "framework")
    list_filter = ("framework",)
    inlines = [QualityInline]


class StatementInline(admin.TabularInline):
    model = Statement
    fields = ("order", "kind", "text")
    extra = 0


@admin.register(Quality)
class QualityAdmin(FrozenWhenInUseAdmin):
    list_display = ("name", "theme", "order")
    list_filter = ("theme__framework", "theme")
    list_select_related = ("theme",)
    inlines = [StatementInline]


@admin.register(Statement)
class StatementAdmin(FrozenWhenInUseAdmin):
    list_display = ("__str__", "kind", "quality", "order")
    list_filter = ("kind", "quality__theme__framework", "quality__theme")
    list_select_related = ("quality",)
    search_fields = ("text",)


class ScalePointInline(admin.TabularInline):
    model = ScalePoint
    fields = ("order", "value", "label")
    extra = 0


@admin.register(Scale)
class ScaleAdmin(FrozenWhenInUseAdmin):
    list_display = ("name", "framework")
    inlines = [ScalePointInline]
