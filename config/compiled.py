"""A one-row lookup whose SQL is compiled once per process, for the hottest pages.

Django compiles a queryset's SQL on every evaluation; for a narrow lookup by key with a few
joins (the rater's invitation, on every form page) compiling costs more than running it.
``CompiledLookup`` compiles the queryset once per database alias, with a marker value in
place of the key, then runs that SQL with the real key and builds the objects the way
Django's own ModelIterable does (``from_db``, select_related populators, field converters).
The queryset must be a plain model queryset: no annotations, no prefetches, no
``known_related_objects``; anything else raises at first use.
"""

from django.db import connections, router
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # private

_MARKER = -982_451_653  # a key no row has; its position in the params is the key's


class CompiledLookup:
    def __init__(self, queryset, lookup: str = "pk"):
        if queryset._prefetch_related_lookups or queryset.query.annotations:
            raise ValueError("CompiledLookup takes a plain model queryset.")
        self._queryset = queryset
        self._lookup = lookup
        self._shapes: dict[str, tuple] = {}

    def _shape(self, using: str) -> tuple:
        shape = self._shapes.get(using)
        if shape is None:
            query = self._queryset.using(using).filter(**{self._lookup: _MARKER})[:1].query
            compiler = query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            if list(params).count(_MARKER) != 1:
                raise ValueError("The lookup's value must appear once in the SQL.")
            klass_info, select = compiler.klass_info, compiler.select
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            shape = (
                sql,
                list(params),
                list(params).index(_MARKER),
                compiler,
                klass_info["model"],
                [column.target.attname for column, _, _ in select[start:end]],
                (start, end),
                get_related_populators(klass_info, select, using),
            )
            self._shapes[using] = shape
        return shape

    def get(self, value):
        """The one object whose ``lookup`` equals ``value``, or None."""
        using = router.db_for_read(self._queryset.model)
        sql, params, index, compiler, model, attnames, (start, end), populators = self._shape(using)
        params = [*params]
        params[index] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        (row,) = compiler.results_iter(results=[[row]])
        obj = model.from_db(using, attnames, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        return obj
