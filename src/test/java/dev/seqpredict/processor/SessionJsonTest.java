package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The verdicts topic's JSON, byte for byte. */
class SessionJsonTest {

    @Test
    void anAnomalousVerdict() {
        ClosedSession c = new ClosedSession("blk_1", 1000, 3000, 3, "hdfs", "2", new SessionVerdict(true, 3, "end"), "gap");
        assertThat(new String(SessionJson.toBytes(c), StandardCharsets.UTF_8)).isEqualTo(
                "{\"key\":\"blk_1\",\"first_ts\":1000,\"last_ts\":3000,\"events\":3,\"model\":\"hdfs\",\"version\":\"2\","
                        + "\"verdict\":\"anomalous\",\"reason\":\"end\",\"at\":3,\"closed_by\":\"gap\"}");
    }

    @Test
    void aNormalVerdictWithoutAModel() {
        ClosedSession c = new ClosedSession("k\"1", 5, 5, 1, null, null, SessionVerdict.NORMAL, "end");
        assertThat(new String(SessionJson.toBytes(c), StandardCharsets.UTF_8)).isEqualTo(
                "{\"key\":\"k\\\"1\",\"first_ts\":5,\"last_ts\":5,\"events\":1,\"model\":null,\"version\":null,"
                        + "\"verdict\":\"normal\",\"reason\":null,\"at\":null,\"closed_by\":\"end\"}");
    }
}
