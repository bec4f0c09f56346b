from rest_framework.routers import SimpleRouter

from .views import AccountViewSet, ContactViewSet, OpportunityViewSet, ProductViewSet, RecordTypeViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="api-account")
router.register("contacts", ContactViewSet, basename="api-contact")
router.register("opportunities", OpportunityViewSet, basename="api-opportunity")
router.register("products", ProductViewSet, basename="api-product")
router.register("record-types", RecordTypeViewSet, basename="api-recordtype")

urlpatterns = [*router.urls]
