package io.asyncore.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.ModuleElement;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every public or protected declaration in asyncore-core's exported packages has a doc comment.
 * (The javadoc jar's doclint catches broken links and bad HTML; its "missing" group would also
 * demand a {@code @param} for every parameter, which the project's one-line-summary style leaves
 * out, so the missing-comment half of it is checked here.)
 */
class CorePublicDocsTest {
    private static final Path SOURCES = Path.of(System.getProperty("consumer.root", "..")).resolve("asyncore-core/src/main/java");

    @Test
    void everyExportedPublicDeclarationHasADocComment() throws IOException {
        List<String> undocumented = undocumented(SOURCES);
        assertEquals(List.of(), undocumented, "public API without a doc comment (write one: what it does, threading, errors)");
    }

    @Test
    void theCheckSeesTheApiItChecks() throws IOException {
        // A check that saw no declarations would pass on anything: it must see Dispatcher's hooks.
        assertTrue(declarations(SOURCES).contains("io.asyncore.Dispatcher#handleRead()"), "the check did not read Dispatcher");
    }

    @Test
    void anUndocumentedPublicMethodIsReported(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path pkg = Files.createDirectories(dir.resolve("p"));
        Files.writeString(dir.resolve("module-info.java"), "/** m */ module m { exports p; }");
        Files.writeString(pkg.resolve("A.java"), "package p; /** A. */ public class A { /** ok */ public A() {} public void bare() {} }");
        assertEquals(List.of("p.A#bare()"), undocumented(dir));
    }

    private static List<String> undocumented(Path sources) throws IOException {
        return scan(sources, true);
    }

    private static List<String> declarations(Path sources) throws IOException {
        return scan(sources, false);
    }

    /** Public and protected declarations of the exported packages: all, or those without a comment. */
    private static List<String> scan(Path sources, boolean onlyUndocumented) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> found = new ArrayList<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null);
             Stream<Path> files = Files.walk(sources)) {
            List<Path> java = files.filter(p -> p.toString().endsWith(".java")).toList();
            JavacTask task = (JavacTask) javac.getTask(null, fm, null, List.of("-proc:none"), null, fm.getJavaFileObjectsFromPaths(java));
            task.analyze();
            DocTrees trees = DocTrees.instance(task);
            Elements elements = task.getElements();
            for (ModuleElement module : elements.getAllModuleElements()) {
                if (module.isUnnamed() || !module.getQualifiedName().toString().equals(moduleName(sources))) {
                    continue;
                }
                for (ModuleElement.Directive d : module.getDirectives()) {
                    if (d instanceof ModuleElement.ExportsDirective e && e.getTargetModules() == null) {
                        walk(e.getPackage(), trees, elements, task.getTypes(), onlyUndocumented, found);
                    }
                }
            }
        }
        found.sort(null);
        return found;
    }

    private static String moduleName(Path sources) throws IOException {
        String info = Files.readString(sources.resolve("module-info.java"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("module\\s+([\\w.]+)").matcher(info.replaceAll("(?s)/\\*.*?\\*/", ""));
        if (!m.find()) {
            throw new IllegalStateException("no module declaration in " + sources.resolve("module-info.java"));
        }
        return m.group(1);
    }

    private static void walk(Element e, DocTrees trees, Elements elements, javax.lang.model.util.Types types, boolean onlyUndocumented, List<String> found) {
        for (Element member : e.getEnclosedElements()) {
            Set<Modifier> mods = member.getModifiers();
            boolean api = mods.contains(Modifier.PUBLIC) || mods.contains(Modifier.PROTECTED)
                    || (member.getKind() == ElementKind.ENUM_CONSTANT);
            if (!api || elements.getOrigin(member) != Elements.Origin.EXPLICIT) {
                continue;
            }
            if (member.getKind() == ElementKind.RECORD_COMPONENT || isRecordAccessor(member) || isEnumMandated(member) || overrides(member, elements, types)) {
                continue; // a record's @param documents its components; an override inherits its comment and javadoc documents an enum's values/valueOf itself
            }
            if (!onlyUndocumented || trees.getDocCommentTree(member) == null) {
                found.add(name(member));
            }
            if (member instanceof TypeElement) {
                walk(member, trees, elements, types, onlyUndocumented, found);
            }
        }
    }

    private static boolean isEnumMandated(Element member) {
        String n = member.getSimpleName().toString();
        return member.getEnclosingElement().getKind() == ElementKind.ENUM && member.getKind() == ElementKind.METHOD
                && (n.equals("values") || n.equals("valueOf"));
    }

    private static boolean isRecordAccessor(Element member) {
        if (!(member instanceof javax.lang.model.element.ExecutableElement x) || !x.getParameters().isEmpty()
                || member.getEnclosingElement().getKind() != ElementKind.RECORD) {
            return false;
        }
        return ((TypeElement) member.getEnclosingElement()).getRecordComponents().stream()
                .anyMatch(c -> c.getSimpleName().equals(member.getSimpleName()));
    }

    private static boolean overrides(Element member, Elements elements, javax.lang.model.util.Types types) {
        if (member.getKind() != ElementKind.METHOD) {
            return false;
        }
        TypeElement owner = (TypeElement) member.getEnclosingElement();
        java.util.Deque<javax.lang.model.type.TypeMirror> todo = new java.util.ArrayDeque<>(types.directSupertypes(owner.asType()));
        while (!todo.isEmpty()) {
            Element sup = types.asElement(todo.pop());
            if (sup == null) {
                continue;
            }
            for (Element m : sup.getEnclosedElements()) {
                if (m.getKind() == ElementKind.METHOD
                        && elements.overrides((javax.lang.model.element.ExecutableElement) member, (javax.lang.model.element.ExecutableElement) m, owner)) {
                    return true;
                }
            }
            todo.addAll(types.directSupertypes(sup.asType()));
        }
        return false;
    }

    private static String name(Element e) {
        if (e instanceof TypeElement t) {
            return t.getQualifiedName().toString();
        }
        String owner = ((TypeElement) e.getEnclosingElement()).getQualifiedName().toString();
        String simple = e.getKind() == ElementKind.CONSTRUCTOR ? "<init>" : e.getSimpleName().toString();
        if (e instanceof javax.lang.model.element.ExecutableElement x) {
            simple += x.getParameters().stream().map(p -> p.asType().toString())
                    .collect(java.util.stream.Collectors.joining(", ", "(", ")"));
        }
        return owner + "#" + simple;
    }
}
