package dev.buildfleet.storage;

import dev.buildfleet.config.FleetLoader;
import dev.buildfleet.validation.FleetValidator;
import dev.buildfleet.validation.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The RGW endpoints of a fleet are refused, naming the field, when Admin Ops or S3 could not work with them. */
class RgwEndpointValidationTest {

    private static List<Problem> problems(String ceph, String tenantCache) {
        String yaml = """
                apiVersion: buildfleet.dev/v1alpha1
                kind: Fleet
                config:
                  gitlab: {url: https://gitlab.example.com, cidrs: [10.10.0.10/32]}
                  kubernetesApi: {cidrs: [10.96.0.1/32]}
                  ceph: {%s, region: default, cidrs: [127.0.0.1/32]}
                tenants:
                  - apiVersion: buildfleet.dev/v1alpha1
                    kind: BuildTenant
                    metadata: {name: java}
                    spec: {gitlab: {runner: {tokenSecretRef: {name: t}}}, cache: {ttl: 36h%s}}
                """.formatted(ceph, tenantCache);
        FleetLoader.Loaded loaded = FleetLoader.parse(yaml);
        List<Problem> problems = new ArrayList<>(loaded.problems());
        problems.addAll(FleetValidator.validate(loaded.fleet()));
        return problems;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "endpoint: 'http://rgw:7480/some/path'|config.ceph.endpoint|has the path '/some/path'; give the RGW "
                    + "endpoint without a path (like http://rgw:7480): RGW would read 'some' as a bucket name",
            "endpoint: 'https://rgw:99999'|config.ceph.endpoint|'https://rgw:99999' has port 99999; a port is 1 to "
                    + "65535",
            "endpoint: 'http://rgw:0'|config.ceph.endpoint|has port 0; a port is 1 to 65535",
            "endpoint: 'https://rgw', adminEndpoint: 'https://rgw-admin:8443/admin'|config.ceph.adminEndpoint|"
                    + "has the path '/admin'",
            "endpoint: 'https://rgw', adminEndpoint: 'https://rgw-admin:70000'|config.ceph.adminEndpoint|"
                    + "has port 70000"})
    void aPathOrAPortOutOfRangeIsRefusedNamingTheField(String ceph, String field, String message) {
        assertThat(problems(ceph, "")).anySatisfy(p -> {
            assertThat(p.path()).isEqualTo(field);
            assertThat(p.message()).contains(message);
        });
    }

    @Test
    void aTenantsOwnEndpointIsCheckedTheSameWay() {
        assertThat(problems("endpoint: 'https://rgw'", ", endpoint: 'https://rgw.example.com:8443/bucket'"))
                .extracting(Problem::path, Problem::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("tenants[0].spec.cache.endpoint",
                        "'https://rgw.example.com:8443/bucket' has the path '/bucket'; give the RGW endpoint "
                                + "without a path (like https://rgw.example.com:8443): RGW would read 'bucket' as a "
                                + "bucket name"));
    }

    @Test
    void plainEndpointsWithOrWithoutPortOrTrailingSlashPass() {
        assertThat(problems("endpoint: 'http://127.0.0.1:7480', adminEndpoint: 'https://rgw-admin:8443/'", ""))
                .isEmpty();
        assertThat(problems("endpoint: 'https://rgw.example.com'", ", endpoint: 'https://rgw2.example.com:443'"))
                .isEmpty();
    }
}
