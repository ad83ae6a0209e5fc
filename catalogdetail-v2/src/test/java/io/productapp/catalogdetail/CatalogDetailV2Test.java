package io.productapp.catalogdetail;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class CatalogDetailV2Test extends CatalogDetailContractTest {

    @Override
    protected String expectedCatalogDetail() {
        return "{\"version\":\"2\",\"vendors\":[\"ABC.com\",\"XYZ.com\"]}";
    }
}
