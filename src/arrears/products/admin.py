from django.contrib import admin

from arrears.products.models import Product, ProductVersion


class ProductVersionInline(admin.StackedInline):  # type: ignore[type-arg]
    model = ProductVersion
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name")
    inlines = [ProductVersionInline]
