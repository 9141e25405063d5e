"""The four product groups of the province's guidance; their names stay editable."""

from django.db import migrations

GROUPS = [
    ("A", "Lãnh đạo, chỉ đạo, điều hành", "Sản phẩm của công tác lãnh đạo, chỉ đạo, điều hành.", 1),
    ("B", "Chuyên môn dùng chung", "Sản phẩm chuyên môn, nghiệp vụ chung của các cơ quan, đơn vị.", 2),
    ("C", "Đặc thù của đơn vị", "Sản phẩm chuyên môn riêng theo chức năng, nhiệm vụ của đơn vị.", 3),
    ("D", "Khác", "Nhiệm vụ đột xuất và các sản phẩm khác.", 4),
]


def create_groups(apps, schema_editor):
    ProductGroup = apps.get_model("catalog", "ProductGroup")
    for code, name, description, position in GROUPS:
        ProductGroup.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )


def remove_groups(apps, schema_editor):
    ProductGroup = apps.get_model("catalog", "ProductGroup")
    ProductGroup.objects.filter(code__in=[g[0] for g in GROUPS], products=None).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial_catalog")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
