package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Asyncore.protocolFamily: the one answer to "which family is this address?". */
class ProtocolFamilyTest {
    @Test
    void anIpv4AddressIsInet() throws Exception {
        assertEquals(StandardProtocolFamily.INET, Asyncore.protocolFamily(new InetSocketAddress("127.0.0.1", 7)));
    }

    @Test
    void anIpv6AddressIsInet6() throws Exception {
        assertEquals(StandardProtocolFamily.INET6, Asyncore.protocolFamily(new InetSocketAddress("::1", 7)));
    }

    @Test
    void aUnixDomainPathIsUnix() throws Exception {
        assertEquals(StandardProtocolFamily.UNIX, Asyncore.protocolFamily(UnixDomainSocketAddress.of(Path.of("/tmp/x.sock"))));
    }

    @Test
    void anUnresolvedHostIsAnUnknownHostNamingIt() {
        UnknownHostException e = assertThrows(UnknownHostException.class,
                () -> Asyncore.protocolFamily(InetSocketAddress.createUnresolved("no-such-host.invalid", 80)));
        assertTrue(e.getMessage().contains("'no-such-host.invalid'"), e.getMessage());
    }

    @Test
    void anotherKindOfAddressIsRefusedNamingItsType() {
        SocketAddress odd = new SocketAddress() { };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Asyncore.protocolFamily(odd));
        assertTrue(e.getMessage().contains("use InetSocketAddress or UnixDomainSocketAddress"), e.getMessage());
    }
}
