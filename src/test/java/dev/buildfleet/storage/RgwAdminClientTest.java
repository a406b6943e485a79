package dev.buildfleet.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How Admin Ops requests look on the wire, and how RGW's answers become faults; no server. */
class RgwAdminClientTest {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:7480", "https://rgw-admin.example.com"})
    void requestsAreSigV4ForS3WithTheEmptyBodyHashAndValuesInTheQuery(String endpoint) {
        RgwAdminClient client = new RgwAdminClient(URI.create(endpoint), "default",
                new S3Keys("ADMINKEY", "adminsecret"), Duration.ofSeconds(1));
        SdkHttpRequest signed = client.sign(SdkHttpMethod.PUT, "user",
                Map.of("quota", "", "uid", "bf-java", "max-objects", "10")).request();
        assertThat(signed.getUri().toString()).startsWith(endpoint + "/admin/user?")
                .contains("uid=bf-java", "max-objects=10", "quota=", "format=json");
        assertThat(signed.firstMatchingHeader("x-amz-content-sha256")).contains(EMPTY_SHA256);
        String authorization = signed.firstMatchingHeader("Authorization").orElseThrow();
        assertThat(authorization).startsWith("AWS4-HMAC-SHA256 Credential=ADMINKEY/")
                .contains("/default/s3/aws4_request", "x-amz-content-sha256", "x-amz-date")
                .doesNotContain("adminsecret");
    }

    @Test
    void aUserPrintsItsKeyIdsButNoSecret() {
        RgwAdminClient.User user = new RgwAdminClient.User("bf-java", java.util.List.of("AKID"),
                Map.of("AKID", "s3cr3t"), false);
        assertThat(user.toString()).contains("bf-java", "AKID").doesNotContain("s3cr3t");
        assertThat(user.firstKey()).get().extracting(S3Keys::secretAccessKey).isEqualTo("s3cr3t");
    }

    @Test
    void answersBecomeTypedFaults() {
        assertThat(RgwAdminClient.answer("GET /admin/user", 404, "{\"Code\":\"NoSuchUser\"}")).isEmpty();
        assertThatThrownBy(() -> RgwAdminClient.answer("GET /admin/user", 403, "{\"Code\":\"AccessDenied\"}"))
                .isInstanceOfSatisfying(StorageFault.class,
                        f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.AccessDenied));
        assertThatThrownBy(() -> RgwAdminClient.answer("PUT /admin/user", 400, "{\"Code\":\"InvalidArgument\"}"))
                .isInstanceOfSatisfying(StorageFault.class,
                        f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.InvalidConfiguration));
        assertThatThrownBy(() -> RgwAdminClient.answer("PUT /admin/user", 501, "{\"Code\":\"NotImplemented\"}"))
                .isInstanceOfSatisfying(StorageFault.class, f -> {
                    assertThat(f.reason()).isEqualTo(StorageFault.Reason.RGWError);
                    assertThat(f.getMessage()).contains("HTTP 501 NotImplemented");
                });
    }
}
