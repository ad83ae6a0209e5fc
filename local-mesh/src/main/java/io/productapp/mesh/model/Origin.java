package io.productapp.mesh.model;

/** Where an object of the model came from: {@code VirtualService catalogdetail} in {@code istio/x/vs.yaml}. */
public record Origin(String kind, String name, String namespace, String file) {

    @Override
    public String toString() {
        return kind + " " + name + " (" + file + ")";
    }
}
