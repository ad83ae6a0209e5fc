package io.productapp.catalogdetail;

import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
class CatalogDetailV1IT extends CatalogDetailV1Test {
}
