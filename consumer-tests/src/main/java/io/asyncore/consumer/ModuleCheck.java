package io.asyncore.consumer;

/** Proof that a program really runs on the module path, and that the library's internals stay sealed. */
public final class ModuleCheck {
    private ModuleCheck() {
    }

    /**
     * Fails unless {@code type} was loaded from the named module {@code expected}.
     *
     * @param type a class of the library
     * @param expected its module's name
     */
    public static void requireNamed(Class<?> type, String expected) {
        Module module = type.getModule();
        if (!module.isNamed() || !module.getName().equals(expected)) {
            throw new IllegalStateException(type.getName() + " was loaded from " + module
                    + ", not from the named module " + expected + ": this program must run on the module path");
        }
        if (!ModuleCheck.class.getModule().canRead(module)) {
            throw new IllegalStateException("io.asyncore.consumer cannot read " + expected);
        }
    }

    /**
     * Fails unless the package of {@code className} is closed to this module (not exported).
     *
     * @param className a class in a package the library keeps to itself
     */
    public static void requireNotExported(String className) {
        Class<?> type;
        try {
            type = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(className + " is missing from the library", e);
        }
        if (type.getModule().isExported(type.getPackageName(), ModuleCheck.class.getModule())) {
            throw new IllegalStateException(type.getPackageName() + " is exported by " + type.getModule()
                    + ": internal packages must stay out of module-info's exports");
        }
    }
}
