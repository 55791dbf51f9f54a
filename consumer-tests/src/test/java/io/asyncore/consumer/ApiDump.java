package io.asyncore.consumer;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import kotlin.Metadata;
import kotlin.metadata.Attributes;
import kotlin.metadata.KmClass;
import kotlin.metadata.KmConstructor;
import kotlin.metadata.KmFunction;
import kotlin.metadata.KmPackage;
import kotlin.metadata.KmProperty;
import kotlin.metadata.Visibility;
import kotlin.metadata.jvm.JvmExtensionsKt;
import kotlin.metadata.jvm.JvmMethodSignature;
import kotlin.metadata.jvm.KotlinClassMetadata;

/**
 * The public API of a jar as text, one declaration a line, sorted: what a caller compiled against
 * the jar can link to. Reads the jar itself (its module descriptor for the exported packages, its
 * classes by reflection without initialising them), so it covers Java and Kotlin alike. For
 * Kotlin classes, declarations Kotlin calls {@code internal} or {@code private} are left out even
 * though the JVM sees them as public.
 *
 * <p>The format is stable across JDK versions: types are written with {@link Type#getTypeName()},
 * modifiers with {@link Modifier#toString(int)}, nothing from {@code toGenericString()}.
 */
final class ApiDump {
    private ApiDump() {
    }

    static List<String> of(Path jar) throws IOException {
        Set<String> exported = exportedPackages(jar);
        List<String> classNames = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class") && !n.startsWith("META-INF/"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .filter(n -> exported.contains(n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : ""))
                    .forEach(classNames::add);
        }
        List<String> lines = new ArrayList<>();
        for (String name : new TreeSet<>(classNames)) {
            Class<?> type;
            try {
                type = Class.forName(name, false, ApiDump.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IOException("cannot load " + name + " from " + jar + ": " + e, e);
            }
            if (visible(type)) {
                lines.addAll(describe(type));
            }
        }
        return lines;
    }

    /** Packages exported to everyone; every package for an automatic module. */
    private static Set<String> exportedPackages(Path jar) {
        ModuleReference ref = ModuleFinder.of(jar).findAll().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException(jar + " is not a module (no module-info, no Automatic-Module-Name?)"));
        ModuleDescriptor d = ref.descriptor();
        if (d.isAutomatic()) {
            return d.packages();
        }
        return d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    }

    /** Reachable by a caller: public or protected, all the way out, and not hidden by Kotlin. */
    private static boolean visible(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
            if (c.isSynthetic() || c.isAnonymousClass() || c.isLocalClass()) {
                return false;
            }
            int m = c.getModifiers();
            if (!Modifier.isPublic(m) && !Modifier.isProtected(m)) {
                return false;
            }
            KotlinClassMetadata k = kotlin(c);
            if (k instanceof KotlinClassMetadata.Class kc && !shown(Attributes.getVisibility(kc.getKmClass()))) {
                return false;
            }
            if (k instanceof KotlinClassMetadata.SyntheticClass) {
                return false;
            }
        }
        return true;
    }

    private static List<String> describe(Class<?> type) {
        Set<String> hidden = kotlinHidden(type);
        List<String> members = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            if (reachable(f.getModifiers()) && !f.isSynthetic() && !hidden.contains(f.getName())) {
                members.add("  " + mods(f.getModifiers()) + f.getGenericType().getTypeName() + " " + f.getName());
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (reachable(c.getModifiers()) && !c.isSynthetic() && !hidden.contains("<init>" + descriptor(c))) {
                members.add("  " + mods(c.getModifiers()) + typeParams(c.getTypeParameters()) + "<init>" + params(c));
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (reachable(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()
                    && !hidden.contains(m.getName() + descriptor(m))) {
                members.add("  " + mods(m.getModifiers()) + typeParams(m.getTypeParameters())
                        + m.getGenericReturnType().getTypeName() + " " + m.getName() + params(m));
            }
        }
        members.sort(null);
        if (members.isEmpty() && kotlin(type) instanceof KotlinClassMetadata.FileFacade) {
            return List.of(); // a file of internal top-level functions: nothing a caller can use
        }
        List<String> out = new ArrayList<>();
        out.add(header(type));
        out.addAll(members);
        return out;
    }

    private static String header(Class<?> type) {
        int m = type.getModifiers() & ~(Modifier.SYNCHRONIZED | Modifier.INTERFACE);
        String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface"
                : type.isEnum() ? "enum" : type.isRecord() ? "record" : "class";
        if (type.isInterface() || type.isEnum() || type.isRecord()) {
            m &= ~Modifier.ABSTRACT;
            m &= ~Modifier.FINAL;
            m &= ~Modifier.STATIC;
        }
        StringBuilder b = new StringBuilder(mods(m)).append(kind).append(' ').append(type.getName())
                .append(typeParams(type.getTypeParameters()).stripTrailing());
        Type sup = type.getGenericSuperclass();
        if (sup != null && sup != Object.class && !type.isEnum() && !type.isRecord()) {
            b.append(" extends ").append(sup.getTypeName());
        }
        Type[] ifaces = type.getGenericInterfaces();
        if (ifaces.length > 0) {
            b.append(type.isInterface() ? " extends " : " implements ")
                    .append(Arrays.stream(ifaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
        }
        return b.toString();
    }

    private static boolean reachable(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String mods(int modifiers) {
        String s = Modifier.toString(modifiers & ~(Modifier.TRANSIENT | Modifier.VOLATILE | Modifier.SYNCHRONIZED
                | Modifier.NATIVE | Modifier.STRICT));
        return s.isEmpty() ? "" : s + " ";
    }

    private static String typeParams(TypeVariable<?>[] vars) {
        if (vars.length == 0) {
            return "";
        }
        return Arrays.stream(vars).map(v -> {
            List<String> bounds = Arrays.stream(v.getBounds()).filter(t -> t != Object.class).map(Type::getTypeName).toList();
            return bounds.isEmpty() ? v.getName() : v.getName() + " extends " + String.join(" & ", bounds);
        }).collect(Collectors.joining(", ", "<", "> "));
    }

    private static String params(Executable e) {
        String ps = Arrays.stream(e.getGenericParameterTypes()).map(Type::getTypeName).collect(Collectors.joining(", ", "(", ")"));
        Type[] thrown = e.getGenericExceptionTypes();
        if (thrown.length == 0) {
            return ps;
        }
        return ps + " throws " + Arrays.stream(thrown).map(Type::getTypeName).sorted().collect(Collectors.joining(", "));
    }

    private static KotlinClassMetadata kotlin(Class<?> type) {
        Metadata md = type.getAnnotation(Metadata.class);
        return md == null ? null : KotlinClassMetadata.readLenient(md);
    }

    private static boolean shown(Visibility v) {
        return v == Visibility.PUBLIC || v == Visibility.PROTECTED;
    }

    /**
     * JVM signatures ({@code name + descriptor}, or a field's name) of members Kotlin hides:
     * internal and private functions, constructors and property accessors.
     */
    private static Set<String> kotlinHidden(Class<?> type) {
        Set<String> hidden = new HashSet<>();
        KotlinClassMetadata k = kotlin(type);
        List<KmFunction> functions = List.of();
        List<KmProperty> properties = List.of();
        if (k instanceof KotlinClassMetadata.Class kc) {
            KmClass c = kc.getKmClass();
            functions = c.getFunctions();
            properties = c.getProperties();
            for (KmConstructor ctor : c.getConstructors()) {
                if (!shown(Attributes.getVisibility(ctor))) {
                    add(hidden, JvmExtensionsKt.getSignature(ctor));
                }
            }
        } else if (k instanceof KotlinClassMetadata.FileFacade ff) {
            KmPackage p = ff.getKmPackage();
            functions = p.getFunctions();
            properties = p.getProperties();
        } else if (k instanceof KotlinClassMetadata.MultiFileClassPart mp) {
            KmPackage p = mp.getKmPackage();
            functions = p.getFunctions();
            properties = p.getProperties();
        }
        for (KmFunction f : functions) {
            if (!shown(Attributes.getVisibility(f))) {
                add(hidden, JvmExtensionsKt.getSignature(f));
            }
        }
        for (KmProperty p : properties) {
            boolean propertyShown = shown(Attributes.getVisibility(p));
            if (!propertyShown || !shown(Attributes.getVisibility(p.getGetter()))) {
                add(hidden, JvmExtensionsKt.getGetterSignature(p));
            }
            if (p.getSetter() != null && (!propertyShown || !shown(Attributes.getVisibility(p.getSetter())))) {
                add(hidden, JvmExtensionsKt.getSetterSignature(p));
            }
            if (!propertyShown && JvmExtensionsKt.getFieldSignature(p) != null) {
                hidden.add(JvmExtensionsKt.getFieldSignature(p).getName());
            }
        }
        return hidden;
    }

    private static void add(Set<String> hidden, JvmMethodSignature s) {
        if (s != null) {
            hidden.add(s.getName() + s.getDescriptor());
        }
    }

    private static String descriptor(Executable e) {
        StringBuilder b = new StringBuilder("(");
        for (Class<?> p : e.getParameterTypes()) {
            b.append(descriptor(p));
        }
        b.append(')');
        b.append(e instanceof Method m ? descriptor(m.getReturnType()) : "V");
        return b.toString();
    }

    private static String descriptor(Class<?> c) {
        if (c.isArray()) {
            return c.getName().replace('.', '/');
        }
        if (c.isPrimitive()) {
            return switch (c.getName()) {
                case "void" -> "V";
                case "boolean" -> "Z";
                case "byte" -> "B";
                case "char" -> "C";
                case "short" -> "S";
                case "int" -> "I";
                case "long" -> "J";
                case "float" -> "F";
                case "double" -> "D";
                default -> throw new IllegalArgumentException(c.getName());
            };
        }
        return "L" + c.getName().replace('.', '/') + ";";
    }
}
