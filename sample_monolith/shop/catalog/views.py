"""HTTP views for the catalog."""

from shop.catalog import pricing
from shop.catalog.models import Product
from shop.catalog.search import search
from shop.core.utils import parse_int


def product_list(request):
    products = search(request.get("q", ""), limit=parse_int(request.get("limit"), 20))
    return [{"sku": product.sku, "price": pricing.with_tax(product.price).cents}
            for product in products]


def product_detail(request):
    product = Product.objects.get(pk=parse_int(request["id"]))
    return {"sku": product.sku, "name": product.name,
            "price": pricing.with_tax(pricing.discounted(product)).cents}
