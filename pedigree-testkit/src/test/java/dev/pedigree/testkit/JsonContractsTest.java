package dev.pedigree.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The contract validator rejects what the contracts forbid, so a passing contract test means something. */
class JsonContractsTest {
    @Test
    void aDocumentMissingRequiredFieldsIsRejectedWithTheirNames() {
        assertThat(JsonContracts.validate(JsonContracts.INSPECT, "{\"schema\": \"pedigree/inspect/v1\"}"))
                .isNotEmpty()
                .anySatisfy(m -> assertThat(m).contains("source"))
                .anySatisfy(m -> assertThat(m).contains("safety"));
        assertThat(JsonContracts.validate(JsonContracts.COMPARE, "[]")).isNotEmpty();
    }

    @Test
    void bothContractsAreBundled() {
        assertThat(JsonContracts.schemaText(JsonContracts.INSPECT)).contains("\"$schema\"");
        assertThat(JsonContracts.schemaText(JsonContracts.COMPARE)).contains("\"$schema\"");
    }
}
