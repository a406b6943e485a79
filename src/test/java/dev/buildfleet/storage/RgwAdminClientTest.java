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
    private static final java.util.Set<String> USER = java.util.Set.of("NoSuchUser");
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
                Map.of("AKID", "s3cr3t"), false, java.util.List.of(), -1);
        assertThat(user.toString()).contains("bf-java", "AKID").doesNotContain("s3cr3t");
        assertThat(user.firstKey()).get().extracting(S3Keys::secretAccessKey).isEqualTo("s3cr3t");
    }

    @Test
    void onlyTheCallsOwnNotFoundCodeMeansMissing() {
        assertThat(RgwAdminClient.answer("GET /admin/user", 404, "{\"Code\":\"NoSuchUser\"}", USER)).isEmpty();
        assertThatThrownBy(() -> RgwAdminClient.answer("GET /admin/user", 404, "{\"Code\":\"NoSuchBucket\"}", USER))
                .isInstanceOfSatisfying(StorageFault.class,
                        f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.RGWError));
    }

    /** What RGW 16.2 answers when the admin endpoint has a path: S3 read the first segment as a bucket. */
    @Test
    void anS3AnswerNamingABucketIsNeverReadAsMissing() {
        String s3Answer = "{\"Code\":\"NoSuchBucket\",\"Message\":\"\",\"BucketName\":\"some\",\"RequestId\":\"tx1\"}";
        for (var notFound : java.util.List.of(USER, java.util.Set.of("NoSuchBucket"))) {
            assertThatThrownBy(() -> RgwAdminClient.answer("GET /admin/user", 404, s3Answer, notFound))
                    .isInstanceOfSatisfying(StorageFault.class, f -> {
                        assertThat(f.reason()).isEqualTo(StorageFault.Reason.InvalidConfiguration);
                        assertThat(f.getMessage()).contains("S3 bucket 'some'", "not Admin Ops");
                    });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://rgw:7480/some/path", "http://rgw:99999", "ftp://rgw", "http:///nohost"})
    void anEndpointWithAPathOrABadPortIsRefusedBeforeAnyRequest(String endpoint) {
        assertThatThrownBy(() -> new RgwAdminClient(URI.create(endpoint), "default", new S3Keys("A", "s"),
                Duration.ofSeconds(1))).isInstanceOfSatisfying(StorageFault.class, f -> {
                    assertThat(f.reason()).isEqualTo(StorageFault.Reason.InvalidConfiguration);
                    assertThat(f.getMessage()).startsWith("RGW admin endpoint ");
                });
    }

    @Test
    void answersBecomeTypedFaults() {
        assertThatThrownBy(() -> RgwAdminClient.answer("GET /admin/user", 403, "{\"Code\":\"AccessDenied\"}", USER))
                .isInstanceOfSatisfying(StorageFault.class,
                        f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.AccessDenied));
        assertThatThrownBy(() -> RgwAdminClient.answer("PUT /admin/user", 400, "{\"Code\":\"InvalidArgument\"}",
                USER))
                .isInstanceOfSatisfying(StorageFault.class,
                        f -> assertThat(f.reason()).isEqualTo(StorageFault.Reason.InvalidConfiguration));
        assertThatThrownBy(() -> RgwAdminClient.answer("PUT /admin/user", 501, "{\"Code\":\"NotImplemented\"}",
                USER))
                .isInstanceOfSatisfying(StorageFault.class, f -> {
                    assertThat(f.reason()).isEqualTo(StorageFault.Reason.RGWError);
                    assertThat(f.getMessage()).contains("HTTP 501 NotImplemented");
                });
    }
}
