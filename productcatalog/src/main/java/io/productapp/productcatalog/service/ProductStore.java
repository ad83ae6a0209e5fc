package io.productapp.productcatalog.service;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.productapp.productcatalog.config.ProductCatalogConfig;

/** The in-memory product dictionary of the original, bounded. Products are listed by id. */
@ApplicationScoped
public class ProductStore {

    private final int capacity;
    private final SortedMap<Integer, String> products = new TreeMap<>();

    public ProductStore(ProductCatalogConfig config) {
        this.capacity = config.store().maxProducts();
    }

    public synchronized Optional<String> find(int id) {
        return Optional.ofNullable(products.get(id));
    }

    /** A copy, so callers serialise it without holding the lock. */
    public synchronized Map<Integer, String> all() {
        return new TreeMap<>(products);
    }

    /**
     * Adds or renames a product.
     *
     * @throws StoreFullException when the id is new and the store already holds {@link #capacity()} products
     */
    public synchronized void put(int id, String name) {
        if (!products.containsKey(id) && products.size() >= capacity) {
            throw new StoreFullException(capacity);
        }
        products.put(id, name);
    }

    public int capacity() {
        return capacity;
    }

    public static final class StoreFullException extends RuntimeException {
        public StoreFullException(int capacity) {
            super("Product Catalog is full: it holds at most " + capacity
                    + " products (productcatalog.store.max-products); update an existing id or restart to clear it");
        }
    }
}
