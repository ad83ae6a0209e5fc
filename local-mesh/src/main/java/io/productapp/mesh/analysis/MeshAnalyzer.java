package io.productapp.mesh.analysis;

/** One of istioctl analyze's analyzers: reads the mesh in the context and adds its findings there. */
interface MeshAnalyzer {

    void analyze(AnalysisContext context);
}
