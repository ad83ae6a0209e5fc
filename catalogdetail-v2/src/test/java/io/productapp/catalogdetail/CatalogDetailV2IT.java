package io.productapp.catalogdetail;

import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
class CatalogDetailV2IT extends CatalogDetailV2Test {
}
