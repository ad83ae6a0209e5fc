package io.productapp.productcatalog;

import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
class ProductResourceIT extends ProductResourceTest {
}
