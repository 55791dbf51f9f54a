package io.asyncore.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

@Timeout(10)
class ChartsTest {
    private static final List<String> LEVELS = List.of("C = 1", "C = 50", "C = 1000");

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> bars(Document doc) {
        NodeList rects = doc.getElementsByTagName("rect");
        List<Element> bars = new java.util.ArrayList<>();
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if (r.getAttribute("class").equals("bar")) {
                bars.add(r);
            }
        }
        return bars;
    }

    @Test
    void drawsOneBarPerSeriesAndCategoryWithHeightsProportionalToValues() throws Exception {
        String svg = Charts.groupedBars("Round trips per second", "round trips/s", LEVELS, List.of(
                new Charts.Series("asyncore", List.of(10_000.0, 40_000.0, 80_000.0)),
                new Charts.Series("netty", List.of(20_000.0, 40_000.0, 60_000.0))));
        Document doc = parse(svg);
        assertEquals("svg", doc.getDocumentElement().getTagName());
        List<Element> bars = bars(doc);
        assertEquals(6, bars.size());
        double h10k = Double.parseDouble(bars.get(0).getAttribute("height"));
        double h20k = Double.parseDouble(bars.get(1).getAttribute("height"));
        double h80k = Double.parseDouble(bars.get(4).getAttribute("height"));
        assertEquals(2 * h10k, h20k, 0.2);
        assertEquals(8 * h10k, h80k, 0.2);
        assertTrue(svg.contains(">80k<"), "the value is written over its bar");
        assertTrue(svg.contains(">100k<"), "the axis ends at a round value above the largest bar");
        assertTrue(svg.contains("Round trips per second") && svg.contains("round trips/s") && svg.contains(">netty<"));
    }

    @Test
    void aValueNotMeasuredIsMarkedNotDrawnAsZero() throws Exception {
        String svg = Charts.groupedBars("CPU per round trip", "µs", List.of("C = 1", "C = 50"), List.of(
                new Charts.Series("asyncore", List.of(3.5, Double.NaN))));
        assertEquals(1, bars(parse(svg)).size());
        assertTrue(svg.contains(">n/a<"), svg);
    }

    @Test
    void textIsEscaped() throws Exception {
        String svg = Charts.groupedBars("a < b & \"c\"", "bytes", List.of("<cat>"), List.of(new Charts.Series("s&p", List.of(1.0))));
        Document doc = parse(svg); // would throw on an unescaped < or &
        assertEquals("a < b & \"c\"", doc.getElementsByTagName("title").item(0).getTextContent());
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class, () -> Charts.groupedBars("t", "u", LEVELS,
                List.of(new Charts.Series("short", List.of(1.0)))));
        assertEquals("series 'short' of chart 't' has 1 values for 3 categories [C = 1, C = 50, C = 1000]", sizes.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> Charts.groupedBars("t", "u",
                List.of("x"), List.of(new Charts.Series("s", List.of(-1.0)))));
        assertTrue(negative.getMessage().contains("-1.0 at x"), negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Charts.groupedBars("t", "u", List.of(), List.of()));
    }

    @Test
    void axisTopsAndLabelsAreRound() {
        assertEquals(100_000, Charts.niceCeiling(80_000));
        assertEquals(250, Charts.niceCeiling(201));
        assertEquals(2, Charts.niceCeiling(2));
        assertEquals(1, Charts.niceCeiling(0));
        assertEquals("12.5k", Charts.compact(12_500));
        assertEquals("1.2M", Charts.compact(1_200_000));
        assertEquals("0.35", Charts.compact(0.35));
        assertEquals("950", Charts.compact(950));
        assertEquals("9k", Charts.compact(9_000), "thousands read alike across bars (9k next to 21k, not 9000)");
        assertEquals("1.5k", Charts.compact(1_500));
    }

    @org.junit.jupiter.api.Test
    void labelsTooWideForTheirSlotAreSlantedAndGetRoomBelowThePlot() {
        java.util.List<String> many = java.util.List.of("callback", "callback-recv8192", "chat", "coroutine", "raw-nio",
                "sample-callback", "sample-coroutine", "netty-nio", "platform-threads", "virtual-threads");
        java.util.List<Double> values = many.stream().map(n -> 1.0).toList();
        String crowded = Charts.groupedBars("t", "u", many, java.util.List.of(new Charts.Series("s", values)));
        org.junit.jupiter.api.Assertions.assertTrue(crowded.contains("transform=\"rotate(-35"), crowded);
        String roomy = Charts.groupedBars("t", "u", java.util.List.of("a", "b"), java.util.List.of(new Charts.Series("s", java.util.List.of(1.0, 2.0))));
        org.junit.jupiter.api.Assertions.assertFalse(roomy.contains("rotate(-35"), roomy);
        int crowdedHeight = Integer.parseInt(crowded.replaceAll("(?s).*? height=\"(\\d+)\".*", "$1"));
        int roomyHeight = Integer.parseInt(roomy.replaceAll("(?s).*? height=\"(\\d+)\".*", "$1"));
        org.junit.jupiter.api.Assertions.assertTrue(crowdedHeight > roomyHeight, crowdedHeight + " vs " + roomyHeight);
    }
}
