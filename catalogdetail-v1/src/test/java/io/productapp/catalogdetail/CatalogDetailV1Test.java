package io.productapp.catalogdetail;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class CatalogDetailV1Test extends CatalogDetailContractTest {

    @Override
    protected String expectedCatalogDetail() {
        return "{\"version\":\"1\",\"vendors\":[\"ABC.com\"]}";
    }
}
