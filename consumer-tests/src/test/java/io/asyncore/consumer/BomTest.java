package io.asyncore.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The published set: the BOM (which has no parent, so it manages nothing else, hence its own
 * version), the parent POM the published POMs point to, asyncore-core and asyncore-coroutines.
 * Everything else skips deploy.
 */
class BomTest {
    private static final Path ROOT = Path.of(System.getProperty("consumer.root", ".."));

    @Test
    void bomVersionIsTheBuildVersion() throws Exception {
        Element project = read(ROOT.resolve("asyncore-bom/pom.xml"));
        assertEquals(System.getProperty("consumer.version"), child(project, "version").getTextContent().strip(),
                "asyncore-bom/pom.xml's <version> must equal the parent's");
    }

    @Test
    void bomManagesExactlyThePublishedArtifactsAtTheBomVersion() throws Exception {
        Element project = read(ROOT.resolve("asyncore-bom/pom.xml"));
        List<String> managed = new ArrayList<>();
        NodeList deps = child(child(project, "dependencyManagement"), "dependencies").getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            managed.add(child(d, "groupId").getTextContent() + ":" + child(d, "artifactId").getTextContent() + ":"
                    + child(d, "version").getTextContent());
        }
        assertEquals(List.of("io.asyncore:asyncore-core:${project.version}", "io.asyncore:asyncore-coroutines:${project.version}"),
                managed, "the BOM lists the published artifacts only (not samples, benchmarks, reliability, consumer-tests)");
    }

    @Test
    void onlyTheLibraryModulesAreDeployed() throws Exception {
        Element root = read(ROOT.resolve("pom.xml"));
        NodeList modules = child(root, "modules").getElementsByTagName("module");
        List<String> deployed = new ArrayList<>();
        for (int i = 0; i < modules.getLength(); i++) {
            String module = modules.item(i).getTextContent().strip();
            if (!"true".equals(property(read(ROOT.resolve(module).resolve("pom.xml")), "maven.deploy.skip"))) {
                deployed.add(module);
            }
        }
        assertEquals(List.of("asyncore-bom", "asyncore-core", "asyncore-coroutines"), deployed,
                "samples, benchmarks, reliability and consumer-tests set maven.deploy.skip; the libraries do not");
        assertEquals(null, property(root, "maven.deploy.skip"), "the parent POM is published too (the modules' POMs name it)");
    }

    private static String property(Element project, String name) {
        for (Node n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("properties")) {
                NodeList values = e.getElementsByTagName(name);
                return values.getLength() == 0 ? null : values.item(0).getTextContent().strip();
            }
        }
        return null;
    }

    private static Element read(Path pom) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        return doc.getDocumentElement();
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("<" + parent.getTagName() + "> has no <" + name + ">");
    }
}
