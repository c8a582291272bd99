package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The session end field: read only when the parser is given its name (sessions on); a wrong type is rejected. */
class EventParserSessionEndTest {

    private static EventParser.Result parse(EventParser p, String json) {
        return p.parse("k", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theFieldEndsTheSessionWhenSessionsAreOn() {
        EventParser p = new EventParser(1024, 64, "session_end");
        assertThat(parse(p, "{\"ts\":1,\"event\":\"a\",\"session_end\":true}").event().sessionEnd()).isTrue();
        assertThat(parse(p, "{\"ts\":1,\"event\":\"a\",\"session_end\":\"TRUE\"}").event().sessionEnd()).isTrue();
        assertThat(parse(p, "{\"ts\":1,\"event\":\"a\",\"session_end\":false}").event().sessionEnd()).isFalse();
        assertThat(parse(p, "{\"ts\":1,\"event\":\"a\"}").event().sessionEnd()).isFalse();
        EventParser.Result bad = parse(p, "{\"ts\":1,\"event\":\"a\",\"session_end\":1}");
        assertThat(bad.ok()).isFalse();
        assertThat(bad.rejection().reason()).isEqualTo(RejectReason.WRONG_TYPE);
    }

    @Test
    void theFieldIsIgnoredWhenSessionsAreOff() {
        EventParser p = JobSettings.defaults("x:1").newParser();
        EventParser.Result r = parse(p, "{\"ts\":1,\"event\":\"a\",\"session_end\":1}");
        assertThat(r.ok()).isTrue();
        assertThat(r.event().sessionEnd()).isFalse();
    }
}
