package io.productapp.frontend.rest;

import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A post that is not a form gets the page's HTML error naming the header, as the page's other
 * refusals do; Quarkus' own 415 has no body. A mapper of its own, not one of
 * {@link FrontendResource}'s: the 415 for a type no method consumes is raised before a
 * resource's own mappers apply.
 */
class NotAForm {

    @ServerExceptionMapper
    RestResponse<String> notAForm(NotSupportedException e) {
        return FrontendResource.htmlError(415, "The product was not added",
                "Header 'Content-Type' must be " + MediaType.APPLICATION_FORM_URLENCODED);
    }
}
