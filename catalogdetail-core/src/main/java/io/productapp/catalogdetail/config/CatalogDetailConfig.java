package io.productapp.catalogdetail.config;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * What makes one catalogdetail version differ from another. The version modules set
 * {@code catalogdetail.version} and {@code catalogdetail.vendors}; everything else is shared code.
 */
@ConfigMapping(prefix = "catalogdetail")
public interface CatalogDetailConfig {

    /** The version reported in the JSON body ({@code "1"} or {@code "2"}); Istio subsets match the pod label of the same value. */
    String version();

    /** The vendors reported in the JSON body, in order. */
    List<String> vendors();

    /**
     * Optional availability zone, added to the body as {@code "zone"} when set
     * (env {@code CATALOGDETAIL_ZONE}); the locality scenario uses it to show which zone answered.
     */
    Optional<String> zone();

    /**
     * Optional instance name, added to the body as {@code "instance"} when set
     * (env {@code CATALOGDETAIL_INSTANCE}, for example the pod name).
     */
    Optional<String> instance();
}
