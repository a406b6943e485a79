package dev.buildfleet.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import dev.buildfleet.proxy.OutboundProxy;
import dev.buildfleet.tls.TrustBundle;
import software.amazon.awssdk.http.urlconnection.ProxyConfiguration;

import javax.net.ssl.TrustManager;

import java.net.URI;
import java.time.Duration;

/** S3 clients the way Ceph RGW needs them. */
public final class S3Clients {
    private S3Clients() {
    }

    /**
     * Path-style addressing at the given endpoint; checksums only where an operation requires one, because the
     * SDK's default CRC32 checksums (since 2.30) are rejected by Ceph. Where one is required (bucket policy, ACL,
     * versioning, lifecycle, multi-delete) a Content-MD5 goes along: RGW 17.2 before 17.2.6 refuses a lifecycle
     * without it ("Missing required header for this request: Content-MD5"), and it knows no CRC32 header.
     *
     * @throws StorageFault InvalidConfiguration when the endpoint has a path or no usable port
     */
    public static S3Client create(URI endpoint, String region, S3Keys keys, Duration timeout) {
        return create(endpoint, region, keys, timeout, null, null);
    }

    /**
     * @param trust the only CAs to trust for an https endpoint, or null for the JDK's
     * @param proxy the fleet's proxy (unless its NO_PROXY names the endpoint), or null: direct
     */
    public static S3Client create(URI endpoint, String region, S3Keys keys, Duration timeout, TrustBundle trust,
                                  OutboundProxy proxy) {
        RgwEndpoint.require(endpoint, "S3 endpoint");
        UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder()
                .connectionTimeout(timeout)
                .socketTimeout(timeout.multipliedBy(3));
        if (trust != null) {
            http.tlsTrustManagersProvider(() -> new TrustManager[]{trust.trustManager()});
        }
        // Never the JVM's proxy properties or environment: only what the fleet file says.
        ProxyConfiguration.Builder route = ProxyConfiguration.builder().useSystemPropertyValues(false)
                .useEnvironmentVariablesValues(false);
        if (proxy != null) {
            proxy.urlFor(endpoint).ifPresent(route::endpoint);
        }
        http.proxyConfiguration(route.build());
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(region))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey())))
                .httpClient(http.build())
                .build();
    }
}
