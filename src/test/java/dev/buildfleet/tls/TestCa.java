package dev.buildfleet.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/** A throw-away CA made in the test, issuing server certificates for localhost and 127.0.0.1. */
public final class TestCa {
    /** Also in every server certificate: a name no DNS knows, reached only through {@code ConnectProxy}. */
    public static final String PROXIED_HOST = "rgw.proxied.test";
    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

    private final String name;
    private final KeyPair key;
    private final X509Certificate certificate;

    private TestCa(String name, KeyPair key, X509Certificate certificate) {
        this.name = name;
        this.key = key;
        this.certificate = certificate;
    }

    /** A server's certificate and key, issued by this CA. */
    public record Issued(X509Certificate certificate, KeyPair key, TestCa issuer) {
        public String certificatePem() {
            return TestCa.pem(certificate);
        }

        public String privateKeyPem() {
            return TestCa.pem(key.getPrivate());
        }

        /** A TLS context that serves this certificate (and its CA) as a server. */
        public SSLContext serverContext() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("server", key.getPrivate(), new char[0],
                        new java.security.cert.Certificate[]{certificate, issuer.certificate});
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, new char[0]);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), null, null);
                return context;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes certificate (with the CA after it) and key as PEM files; returns the certificate's path. */
        public Path writeTo(Path dir, String baseName) throws IOException {
            Path cert = dir.resolve(baseName + ".crt");
            Files.writeString(cert, certificatePem() + issuer.pem());
            Files.writeString(dir.resolve(baseName + ".key"), privateKeyPem());
            return cert;
        }
    }

    public static TestCa create(String name) {
        try {
            KeyPair key = rsa();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), subject, key.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
            return new TestCa(name, key, cert);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create test CA " + name, e);
        }
    }

    /** A server certificate for localhost, 127.0.0.1 and {@value #PROXIED_HOST}. */
    public Issued issueServer() {
        try {
            KeyPair server = rsa();
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), new X500Name("CN=localhost"), server.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    // a name only the tests' CONNECT proxy knows, for clients (Go) that never proxy localhost
                    new GeneralName(GeneralName.dNSName, PROXIED_HOST),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
            return new Issued(cert, server, this);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a server certificate from " + name, e);
        }
    }

    /** The CA certificate as PEM: what a CA bundle ConfigMap holds. */
    public String pem() {
        return pem(certificate);
    }

    public TrustBundle trust(String source) {
        return TrustBundle.parse(source, pem());
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString();
    }
}
