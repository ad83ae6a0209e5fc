import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;

/**
 * Prints how many bytes the JVM with process id {@code PID} has allocated on its heap since it
 * started, over all its threads (HotSpot's {@code TotalThreadAllocatedBytes}). Attaches to it and
 * starts its local JMX agent, once; the first call costs the target a little, so take a reading
 * before the window measured.
 *
 * <pre>java bench/tools/JvmAllocated.java PID</pre>
 */
public class JvmAllocated {

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].matches("\\d+")) {
            System.err.println("usage: java bench/tools/JvmAllocated.java PID");
            System.exit(2);
        }
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            Object bytes = connector.getMBeanServerConnection().getAttribute(new ObjectName("java.lang:type=Threading"),
                    "TotalThreadAllocatedBytes");
            System.out.println(bytes);
        }
    }
}
