/**
 * GPU DRR: a WebGL2 fragment-shader ray cast through a 3D texture of the HU volume, with the
 * geometry and attenuation model of the CPU reference (src/scene/carm.ts): one fragment per
 * detector pixel (u, v) (integer = pixel centre), a ray from the point source to the pixel, clipped
 * to the box of voxel faces, split into equal steps of at most stepMm sampled at their midpoints,
 * trilinear between voxel centres with clamp-to-edge (a LINEAR, CLAMP_TO_EDGE R16F texture),
 * μ from HU by the bilinear AttenuationModel (CT_ENERGY by default). Output: line integrals in an RGBA32F target, read back row-major
 * with row v = 0 at the top of the image.
 */
import type { ScalarVolume } from '../core/volume';
import { CT_ENERGY, type AttenuationModel, type CArmGeometry } from '../scene/carm';

const VS = `#version 300 es
void main() {
  vec2 p = vec2(gl_VertexID == 1 ? 3.0 : -1.0, gl_VertexID == 2 ? 3.0 : -1.0);
  gl_Position = vec4(p, 0.0, 1.0);
}`;

const FS = `#version 300 es
precision highp float;
precision highp sampler3D;
uniform sampler3D uVol;
uniform vec3 uDims;
uniform mat4 uLpsToIjk;
uniform vec3 uSource;
uniform vec3 uDetCentre;
uniform vec3 uU;
uniform vec3 uV;
uniform vec2 uPixMm;
uniform vec2 uSize;
uniform float uStepMm;
uniform float uMuWater;
uniform float uBoneScale;
out vec4 outColor;
void main() {
  vec2 uv = gl_FragCoord.xy - 0.5;
  vec3 det = uDetCentre + (uv.x - (uSize.x - 1.0) * 0.5) * uPixMm.x * uU + (uv.y - (uSize.y - 1.0) * 0.5) * uPixMm.y * uV;
  vec3 s = (uLpsToIjk * vec4(uSource, 1.0)).xyz;
  vec3 d = (uLpsToIjk * vec4(det, 1.0)).xyz - s;
  float lenMm = length(det - uSource);
  vec3 dd = vec3(abs(d.x) < 1e-9 ? 1e-9 : d.x, abs(d.y) < 1e-9 ? 1e-9 : d.y, abs(d.z) < 1e-9 ? 1e-9 : d.z);
  vec3 ta = (vec3(-0.5) - s) / dd;
  vec3 tb = (uDims - vec3(0.5) - s) / dd;
  vec3 tmin = min(ta, tb), tmax = max(ta, tb);
  float t0 = max(max(tmin.x, tmin.y), max(tmin.z, 0.0));
  float t1 = min(min(tmax.x, tmax.y), min(tmax.z, 1.0));
  if (!(t1 > t0)) { outColor = vec4(0.0, 0.0, 0.0, 1.0); return; }
  float seg = (t1 - t0) * lenMm;
  int n = max(1, int(ceil(seg / uStepMm)));
  n = min(n, 8192);
  float dt = (t1 - t0) / float(n);
  float sum = 0.0;
  for (int q = 0; q < 8192; q++) {
    if (q >= n) break;
    vec3 p = s + d * (t0 + (float(q) + 0.5) * dt);
    float hu = texture(uVol, (p + 0.5) / uDims).r;
    sum += max(0.0, uMuWater * (1.0 + (hu > 0.0 ? hu * uBoneScale : hu) / 1000.0));
  }
  outColor = vec4(sum * seg / float(n), 0.0, 0.0, 1.0);
}`;

/** IEEE 754 half-float bits of a number (round to nearest). */
export function toHalf(f: number): number {
  const fv = new Float32Array(1), iv = new Uint32Array(fv.buffer);
  fv[0] = f;
  const x = iv[0]!;
  const sign = (x >>> 16) & 0x8000;
  let e = ((x >>> 23) & 0xff) - 127 + 15;
  let m = x & 0x7fffff;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    m = (m | 0x800000) >> (1 - e);
    return sign | ((m + 0x1000) >> 13);
  }
  const h = sign | (e << 10) | (m >> 13);
  return m & 0x1000 ? h + 1 : h;
}

/** The HU volume as half floats (a lookup table for 16-bit integer voxels). */
function halfVoxels(volume: ScalarVolume): Uint16Array {
  const v = volume.voxels;
  const out = new Uint16Array(v.length);
  if (v instanceof Int16Array || v instanceof Uint16Array || v instanceof Uint8Array) {
    const signed = v instanceof Int16Array;
    const lut = new Uint16Array(65536);
    for (let n = 0; n < 65536; n++) lut[n] = toHalf(signed ? (n << 16) >> 16 : n);
    if (signed) for (let n = 0; n < v.length; n++) out[n] = lut[v[n]! & 0xffff]!;
    else for (let n = 0; n < v.length; n++) out[n] = lut[v[n]!]!;
  } else {
    for (let n = 0; n < v.length; n++) out[n] = toHalf(v[n]!);
  }
  return out;
}

export class DrrRenderer {
  readonly gl: WebGL2RenderingContext;
  /** WebGL drawn by the CPU (SwiftShader, llvmpipe: no GPU): a DRR then blocks the page for seconds. */
  readonly software: boolean;
  private program: WebGLProgram;
  private tex: WebGLTexture | null = null;
  private volume: ScalarVolume | null = null;
  private fbo: WebGLFramebuffer;
  private target: WebGLTexture | null = null;
  private targetSize: [number, number] = [0, 0];
  private uniforms = new Map<string, WebGLUniformLocation | null>();

  /** Throws a clear message when WebGL2 or float render targets are missing. */
  constructor(canvas: HTMLCanvasElement | OffscreenCanvas = document.createElement('canvas')) {
    const gl = canvas.getContext('webgl2', { antialias: false, preserveDrawingBuffer: false }) as WebGL2RenderingContext | null;
    if (!gl) throw new Error('simulated fluoroscopy needs WebGL2, which this browser does not provide');
    if (!gl.getExtension('EXT_color_buffer_float')) throw new Error('simulated fluoroscopy needs float render targets (EXT_color_buffer_float)');
    this.gl = gl;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    this.software = /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
    const sh = (type: number, src: string): WebGLShader => {
      const s = gl.createShader(type)!;
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`DRR shader: ${gl.getShaderInfoLog(s)}`);
      return s;
    };
    const p = gl.createProgram()!;
    gl.attachShader(p, sh(gl.VERTEX_SHADER, VS));
    gl.attachShader(p, sh(gl.FRAGMENT_SHADER, FS));
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`DRR program: ${gl.getProgramInfoLog(p)}`);
    this.program = p;
    this.fbo = gl.createFramebuffer()!;
  }

  private loc(name: string): WebGLUniformLocation | null {
    if (!this.uniforms.has(name)) this.uniforms.set(name, this.gl.getUniformLocation(this.program, name));
    return this.uniforms.get(name)!;
  }

  /** Upload a volume (once per volume; half floats, LINEAR, CLAMP_TO_EDGE). */
  setVolume(volume: ScalarVolume): void {
    if (this.volume === volume) return;
    const gl = this.gl;
    const [ni, nj, nk] = volume.geometry.dims;
    const max = gl.getParameter(gl.MAX_3D_TEXTURE_SIZE) as number;
    if (ni > max || nj > max || nk > max) throw new Error(`volume ${ni}×${nj}×${nk} exceeds this GPU's 3D texture limit (${max})`);
    if (this.tex) gl.deleteTexture(this.tex);
    this.tex = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_3D, this.tex);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.texImage3D(gl.TEXTURE_3D, 0, gl.R16F, ni, nj, nk, 0, gl.RED, gl.HALF_FLOAT, halfVoxels(volume));
    for (const [k, v] of [[gl.TEXTURE_MIN_FILTER, gl.LINEAR], [gl.TEXTURE_MAG_FILTER, gl.LINEAR], [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_R, gl.CLAMP_TO_EDGE]] as const) gl.texParameteri(gl.TEXTURE_3D, k, v);
    this.volume = volume;
  }

  /** Line integrals for one pose, row-major (v·width + u), v = 0 at the top. */
  render(g: CArmGeometry, stepMm?: number, model: AttenuationModel = CT_ENERGY): Float32Array {
    const gl = this.gl, vol = this.volume;
    if (!vol || !this.tex) throw new Error('DRR: no volume uploaded');
    const W = g.widthPx, H = g.heightPx;
    if (this.targetSize[0] !== W || this.targetSize[1] !== H || !this.target) {
      if (this.target) gl.deleteTexture(this.target);
      this.target = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, this.target);
      gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, W, H);
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.fbo);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, this.target, 0);
      if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) throw new Error('DRR: float render target not supported');
      this.targetSize = [W, H];
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fbo);
    gl.viewport(0, 0, W, H);
    gl.useProgram(this.program);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_3D, this.tex);
    gl.uniform1i(this.loc('uVol'), 0);
    const geo = vol.geometry;
    gl.uniform3f(this.loc('uDims'), geo.dims[0], geo.dims[1], geo.dims[2]);
    // LPS → ijk as a column-major mat4: columns = images of the unit vectors, last = −M⁻¹·origin
    const o = geo.lpsToIjk([0, 0, 0], [0, 0, 0]);
    const ex = geo.lpsToIjk([0, 0, 0], [1, 0, 0]), ey = geo.lpsToIjk([0, 0, 0], [0, 1, 0]), ez = geo.lpsToIjk([0, 0, 0], [0, 0, 1]);
    gl.uniformMatrix4fv(this.loc('uLpsToIjk'), false, new Float32Array([
      ex[0] - o[0], ex[1] - o[1], ex[2] - o[2], 0,
      ey[0] - o[0], ey[1] - o[1], ey[2] - o[2], 0,
      ez[0] - o[0], ez[1] - o[1], ez[2] - o[2], 0,
      o[0], o[1], o[2], 1,
    ]));
    gl.uniform3f(this.loc('uSource'), ...g.sourceLps);
    gl.uniform3f(this.loc('uDetCentre'), ...g.detectorCentreLps);
    gl.uniform3f(this.loc('uU'), ...g.uAxis);
    gl.uniform3f(this.loc('uV'), ...g.vAxis);
    gl.uniform2f(this.loc('uPixMm'), g.pixelMm[0], g.pixelMm[1]);
    gl.uniform2f(this.loc('uSize'), W, H);
    gl.uniform1f(this.loc('uStepMm'), stepMm ?? 0.5 * Math.min(...geo.spacingMm));
    gl.uniform1f(this.loc('uMuWater'), model.muWaterPerMm);
    gl.uniform1f(this.loc('uBoneScale'), model.boneScale);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    const rgba = new Float32Array(W * H * 4);
    gl.readPixels(0, 0, W, H, gl.RGBA, gl.FLOAT, rgba);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    const out = new Float32Array(W * H);
    for (let n = 0; n < W * H; n++) out[n] = rgba[4 * n]!;
    return out;
  }

  dispose(): void {
    const gl = this.gl;
    if (this.tex) gl.deleteTexture(this.tex);
    if (this.target) gl.deleteTexture(this.target);
    gl.deleteFramebuffer(this.fbo);
    gl.deleteProgram(this.program);
    this.volume = null;
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}
