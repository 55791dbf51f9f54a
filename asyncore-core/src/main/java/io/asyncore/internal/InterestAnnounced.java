package io.asyncore.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a library implementation of {@code readable()}/{@code writable()} whose answer changes only
 * where the library calls {@code interestChanged()}. A dispatcher class whose two predicates both
 * carry it need not be polled on every pass. Internal: not exported from the module.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface InterestAnnounced {
}
