package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PublishedModelTest {

    @Test
    void storedFormKeepsArtifactAndSignatureHeaders() {
        byte[] artifact = {1, 2, 3, 4, 5};
        PublishedModel p = new PublishedModel("m", artifact, "abcd".getBytes(StandardCharsets.UTF_8), new byte[0]);
        PublishedModel back = PublishedModel.decode("m", p.encode());
        assertThat(back.artifact()).isEqualTo(artifact);
        assertThat(back.keyIdHeader()).isEqualTo("abcd".getBytes(StandardCharsets.UTF_8));
        assertThat(back.signatureHeader()).isEmpty();
        PublishedModel unsigned = PublishedModel.decode("m", PublishedModel.unsigned("m", artifact).encode());
        assertThat(unsigned.keyIdHeader()).isNull();
        assertThat(unsigned.signatureHeader()).isNull();
        assertThat(unsigned.artifact()).isEqualTo(artifact);
    }

    @Test
    void bareArtifactBytesReadAsUnsignedAndCorruptionIsReported() {
        byte[] bare = new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '};
        assertThat(PublishedModel.decode("m", bare).artifact()).isEqualTo(bare);
        byte[] corrupt = PublishedModel.unsigned("m", new byte[] {1}).encode();
        corrupt[7] = 100; // key-id length beyond the record
        corrupt[4] = 0;
        assertThatThrownBy(() -> PublishedModel.decode("m", corrupt)).hasMessageContaining("corrupt stored model record");
    }
}
