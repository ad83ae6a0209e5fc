package io.productapp.frontend;

import io.quarkus.test.junit.QuarkusIntegrationTest;

@QuarkusIntegrationTest
class FrontendResourceIT extends FrontendResourceTest {
}
