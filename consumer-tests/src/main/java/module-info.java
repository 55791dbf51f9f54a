/**
 * A user's application on the module path: it reads the published modules only through their
 * module descriptors, so a missing {@code exports} or {@code requires} in them fails this build.
 */
module io.asyncore.consumer {
    requires io.asyncore;
    requires io.asyncore.coroutines;
    requires kotlin.stdlib;
    requires kotlinx.coroutines.core;
}
