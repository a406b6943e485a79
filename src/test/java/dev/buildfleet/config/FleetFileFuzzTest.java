package dev.buildfleet.config;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.buildfleet.api.BuildTenant;
import dev.buildfleet.model.TenantResolver;
import dev.buildfleet.render.FleetRenderer;
import dev.buildfleet.render.GitOpsUnits;
import dev.buildfleet.storage.StoragePlan;
import dev.buildfleet.validation.ConfigValidator;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.validation.InvalidInputException;

import java.util.List;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Arbitrary bytes as a fleet file, through what `validate` and `render` run in-process: the loader, every rule, and
 * for a valid fleet the renderer (in memory, with both GitOps layouts) and each tenant's storage plan; the same bytes
 * as the operator's config file. The only exception allowed is {@link InvalidInputException}, the one that becomes
 * "N problems:" and exit 1. In `mvn verify` this runs the committed inputs in
 * src/test/resources/dev/buildfleet/config/FleetFileFuzzTestInputs/; `bin/fuzz [seconds]` fuzzes.
 */
class FleetFileFuzzTest {
    @FuzzTest(maxDuration = "10m")
    @DictionaryFile(resourcePath = "/dev/buildfleet/config/fleet-file.dict")
    void loadValidateRender(byte[] input) {
        try {
            var fleet = FleetValidator.valid(FleetLoader.parse(input));
            SortedMap<String, String> files = FleetRenderer.render(fleet);
            List<String> names = fleet.tenants().stream().map(t -> t.getMetadata().getName()).sorted().toList();
            for (GitOpsUnits.Tool tool : GitOpsUnits.Tool.values()) {
                GitOpsUnits.add(files, names, tool, new GitOpsUnits.Source("https://git.example.com/fleet.git",
                        "HEAD", "clusters/prod"));
            }
            for (BuildTenant tenant : fleet.tenants()) {
                StoragePlan.of(TenantResolver.resolve(fleet.config(), tenant));
            }
            assertThat(files).isNotEmpty();
        } catch (InvalidInputException expected) {
            assertThat(expected.problems()).isNotEmpty();
        }
        try {
            FleetLoader.LoadedConfig config = FleetLoader.parseConfig(input);
            if (config.config() != null) {
                ConfigValidator.validate(config.config(), "");
            }
        } catch (InvalidInputException expected) {
            assertThat(expected.problems()).isNotEmpty();
        }
    }
}
