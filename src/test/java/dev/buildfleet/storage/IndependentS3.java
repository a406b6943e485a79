package dev.buildfleet.storage;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * S3 clients built straight from the AWS SDK, not through {@link S3Clients} or {@link RgwTenantStorage}, to prove what
 * a set of keys (or no keys) can do against RGW. Content-MD5 goes along where RGW may want it, so a refusal is about
 * permission, never about a missing header.
 */
final class IndependentS3 {
    private IndependentS3() {
    }

    static S3Client as(URI endpoint, S3Keys keys) {
        return client(endpoint, StaticCredentialsProvider.create(
                AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey())));
    }

    static S3Client anonymous(URI endpoint) {
        return client(endpoint, AnonymousCredentialsProvider.create());
    }

    /** The call fails with HTTP 403 AccessDenied: refused for permission, not for a missing thing or a bad request. */
    static void assertRefused(String what, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as(what + " must be refused").isInstanceOf(S3Exception.class);
        S3Exception e = (S3Exception) thrown;
        assertThat(e.statusCode()).as(what + ": " + e.getMessage()).isEqualTo(403);
        assertThat(e.awsErrorDetails().errorCode()).as(what).isEqualTo("AccessDenied");
    }

    private static S3Client client(URI endpoint, AwsCredentialsProvider credentials) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of("default"))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create())
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build())
                .build();
    }
}
