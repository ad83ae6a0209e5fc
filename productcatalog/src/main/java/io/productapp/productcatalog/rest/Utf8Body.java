package io.productapp.productcatalog.rest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

/**
 * A request body must be UTF-8, as JSON between systems is (RFC 8259, 8.1). Jackson's reader
 * takes overlong forms, encoded surrogates and code points past U+10FFFF as characters, so
 * {@code {"name":"\xC0\xAF"}} would be stored as {@code "/"}; this refuses such a body first,
 * with a 400 that says at which byte.
 */
@Provider
public class Utf8Body implements ReaderInterceptor {

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        byte[] body = context.getInputStream().readAllBytes();
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CoderResult result = decoder.decode(in, CharBuffer.allocate(body.length), true);
        if (result.isError()) {
            throw ApiException.badRequest("Request body is not valid JSON: it is not UTF-8 (byte " + (in.position() + 1) + ")");
        }
        context.setInputStream(new ByteArrayInputStream(body));
        return context.proceed();
    }
}
