/**
 * The three.js planning scene: bone isosurface, lesion surfaces, foramina and canal tubes,
 * needles with their true diameter and working length, ablation ellipsoids, the 2D crosshair,
 * a clipping plane, orbit/zoom/pan, camera presets and picking.
 *
 * Every object is built in LPS millimetres and hung under one group whose matrix is
 * LPS_TO_SCENE (src/scene/lps-to-scene.ts): that is the only place LPS becomes scene
 * coordinates; picked points come back through sceneToLps. Rendering is on demand (after a
 * change or a camera move), never in a loop: software WebGL is slow.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { LPS_TO_SCENE, lpsToScene, sceneToLps } from '../scene/lps-to-scene';
import { cArmGeometry, type CArmViewName } from '../scene/carm';
import type { Vec3 } from '../core/vec3';
import type { Foramen, Canal } from '../anatomy/types';
import type { Trajectory } from '../planning/types';
import { needleSegment } from '../scene/needle';
import { tipArrived } from '../planning/trajectory';

export type CameraPreset = 'posterior' | 'AP' | 'left-lateral' | 'right-lateral' | 'inlet' | 'outlet' | 'bulls-eye';
export const CAMERA_PRESETS: CameraPreset[] = ['posterior', 'AP', 'left-lateral', 'right-lateral', 'inlet', 'outlet', 'bulls-eye'];
export type ClipMode = 'none' | 'axial' | 'coronal' | 'sagittal';

export interface MeshData {
  positionsLps: Float32Array;
  normalsLps: Float32Array;
  indices: Uint32Array;
}

/** Denis zone colours (as the 2D zone overlay: 1 green, 2 amber, 3 violet). */
export const ZONE_COLORS: Record<1 | 2 | 3, string> = { 1: '#4caf50', 2: '#ffc107', 3: '#ab47bc' };

const Y_UP = new THREE.Vector3(0, 1, 0);

function v3(p: Readonly<Vec3>): THREE.Vector3 {
  return new THREE.Vector3(p[0], p[1], p[2]);
}

/** A cylinder (three's is along +Y, centred) from a to b in the LPS group. */
function cylinderBetween(a: Readonly<Vec3>, b: Readonly<Vec3>, rA: number, rB: number, material: THREE.Material, segments = 20): THREE.Mesh {
  const pa = v3(a), pb = v3(b);
  const len = pa.distanceTo(pb);
  const geo = new THREE.CylinderGeometry(rB, rA, Math.max(len, 1e-3), segments, 1, false);
  const mesh = new THREE.Mesh(geo, material);
  mesh.position.copy(pa).add(pb).multiplyScalar(0.5);
  if (len > 0) mesh.quaternion.setFromUnitVectors(Y_UP, pb.clone().sub(pa).normalize());
  return mesh;
}

/** Whether WebGL here is drawn in software (the renderer string of a probe context). */
function softwareWebGl(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return true;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(name);
  } catch {
    return false;
  }
}

function disposeGroup(g: THREE.Object3D): void {
  g.traverse((o) => {
    const m = o as THREE.Mesh;
    if (m.geometry) m.geometry.dispose();
    const mat = m.material as THREE.Material | THREE.Material[] | undefined;
    if (Array.isArray(mat)) mat.forEach((x) => { if (!x.userData.shared) x.dispose(); });
    else if (mat && !mat.userData.shared) mat.dispose();
  });
  g.clear();
}

/** A three.js geometry over an isosurface mesh's arrays (LPS positions and normals, indices; not copied). */
function meshGeometry(mesh: MeshData): THREE.BufferGeometry {
  const geo = new THREE.BufferGeometry();
  geo.setAttribute('position', new THREE.BufferAttribute(mesh.positionsLps, 3));
  geo.setAttribute('normal', new THREE.BufferAttribute(mesh.normalsLps, 3));
  geo.setIndex(new THREE.BufferAttribute(mesh.indices, 1));
  return geo;
}

export class PlanningScene {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(30, 1, 1, 5000);
  readonly controls: OrbitControls;
  /** Everything in LPS mm hangs here; its matrix is LPS_TO_SCENE. */
  readonly lps = new THREE.Group();
  private bone: THREE.Mesh | null = null;
  private readonly lesionGroup = new THREE.Group();
  private readonly zoneGroup = new THREE.Group();
  private readonly anatomyGroup = new THREE.Group();
  private readonly needleGroup = new THREE.Group();
  private readonly crosshairGroup = new THREE.Group();
  private readonly clipPlane = new THREE.Plane(new THREE.Vector3(0, 0, -1), 0);
  private clipMode: ClipMode = 'none';
  private boneOpacity = 0.35;
  private centreLps: Vec3 = [0, 0, 0];
  private radiusMm = 150;
  private frameRequested = false;
  private width = 1;
  private height = 1;

  /** WebGL drawn by the CPU (SwiftShader, llvmpipe: a browser without a GPU): no multisampling, and the panel decimates the bone. */
  readonly software: boolean;

  constructor(readonly canvas: HTMLCanvasElement) {
    this.software = softwareWebGl();
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: !this.software, preserveDrawingBuffer: true });
    this.renderer.setClearColor(0x0b0d10);
    this.renderer.localClippingEnabled = true;
    this.lps.matrixAutoUpdate = false;
    this.lps.matrix.set(...(LPS_TO_SCENE as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number]));
    this.lps.matrixWorldNeedsUpdate = true;
    this.lps.add(this.lesionGroup, this.zoneGroup, this.anatomyGroup, this.needleGroup, this.crosshairGroup);
    this.scene.add(this.lps);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x404040, 1.6));
    const key = new THREE.DirectionalLight(0xffffff, 1.4);
    this.camera.add(key);
    key.position.set(0.3, 0.6, 1);
    this.scene.add(this.camera);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = false;
    this.controls.screenSpacePanning = true;
    this.controls.addEventListener('change', () => this.requestRender());
    this.applyPreset('posterior');
  }

  setSize(width: number, height: number): void {
    this.width = Math.max(1, Math.floor(width));
    this.height = Math.max(1, Math.floor(height));
    this.renderer.setPixelRatio(1);
    this.renderer.setSize(this.width, this.height, false);
    this.camera.aspect = this.width / this.height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.renderNow();
    });
  }

  /** How long the last frame took to draw (ms): seconds on software WebGL, which the panel's update scheduling heeds. */
  lastRenderMs = 0;

  /** How long the last frame took until the next one could start (ms): the GPU (or CPU) drawing time the page waited for. */
  lastFrameMs = 0;

  renderNow(): void {
    const t0 = performance.now();
    this.renderer.render(this.scene, this.camera);
    this.lastRenderMs = performance.now() - t0;
    requestAnimationFrame(() => requestAnimationFrame(() => { this.lastFrameMs = performance.now() - t0; }));
  }

  /** Where the camera presets look and how far they stand (the volume's centre and size). */
  setFocus(centreLps: Vec3, radiusMm: number): void {
    this.centreLps = [...centreLps];
    this.radiusMm = radiusMm;
  }

  private materials(): THREE.Material[] {
    const out: THREE.Material[] = [];
    this.lps.traverse((o) => {
      const m = (o as THREE.Mesh).material;
      if (Array.isArray(m)) out.push(...m);
      else if (m) out.push(m);
    });
    return out;
  }

  /**
   * Clipping on or off for every material. A material is flagged for a new shader only when its
   * clipping actually changes: recompiling every program (the bone's too) on each needle or
   * crosshair update took seconds on software WebGL and made the 2D views wait.
   */
  private applyClipToMaterials(): void {
    const on = this.clipMode !== 'none';
    const planes = on ? [this.clipPlane] : [];
    for (const m of this.materials()) {
      if (m.userData.noClip) continue;
      const had = (m.clippingPlanes?.length ?? 0) > 0;
      m.clippingPlanes = planes;
      if (had !== on) m.needsUpdate = true;
    }
  }

  /** Materials of the needles and the crosshair, made once and kept (never disposed with their meshes), so their shaders compile once. */
  private sharedMaterials = new Map<string, THREE.Material>();
  private shared<M extends THREE.Material>(key: string, make: () => M): M {
    let m = this.sharedMaterials.get(key) as M | undefined;
    if (!m) {
      m = make();
      m.userData.shared = true;
      this.sharedMaterials.set(key, m);
    }
    return m;
  }

  setBone(mesh: MeshData | null): void {
    if (this.bone) {
      this.lps.remove(this.bone);
      disposeGroup(this.bone);
      this.bone = null;
    }
    if (!mesh) { this.requestRender(); return; }
    const geo = meshGeometry(mesh);
    geo.computeBoundingSphere();
    const mat = new THREE.MeshStandardMaterial({ color: 0xe9dfc8, roughness: 0.75, metalness: 0, side: THREE.DoubleSide });
    this.bone = new THREE.Mesh(geo, mat);
    this.bone.name = 'bone';
    this.bone.renderOrder = 10;
    this.lps.add(this.bone);
    this.setBoneOpacity(this.boneOpacity);
    this.applyClipToMaterials();
  }

  setBoneOpacity(opacity: number): void {
    this.boneOpacity = Math.max(0.05, Math.min(1, opacity));
    if (this.bone) {
      const m = this.bone.material as THREE.MeshStandardMaterial;
      m.opacity = this.boneOpacity;
      m.transparent = this.boneOpacity < 1;
      m.depthWrite = this.boneOpacity >= 1;
      m.needsUpdate = true;
    }
    this.requestRender();
  }

  boneTriangles(): number {
    return this.bone?.geometry.index ? this.bone.geometry.index.count / 3 : 0;
  }

  /** The Denis zone map as translucent surfaces (one per zone, coloured as in the 2D overlay). */
  setZones(items: { zone: 1 | 2 | 3; mesh: MeshData }[]): void {
    disposeGroup(this.zoneGroup);
    for (const it of items) {
      const geo = meshGeometry(it.mesh);
      const m = new THREE.Mesh(geo, new THREE.MeshStandardMaterial({ color: ZONE_COLORS[it.zone], transparent: true, opacity: 0.28, depthWrite: false, side: THREE.DoubleSide, roughness: 0.8 }));
      m.name = `zone:${it.zone}`;
      m.renderOrder = 20;
      this.zoneGroup.add(m);
    }
    this.applyClipToMaterials();
    this.requestRender();
  }

  /** Lesion surfaces (one mesh per lesion id), coloured by Denis zone (lesion colour when unclassified). */
  setLesions(items: { id: string; mesh: MeshData; color: string }[]): void {
    disposeGroup(this.lesionGroup);
    for (const it of items) {
      const geo = meshGeometry(it.mesh);
      const m = new THREE.Mesh(geo, new THREE.MeshStandardMaterial({ color: it.color, roughness: 0.5, emissive: new THREE.Color(it.color).multiplyScalar(0.25) }));
      m.name = `${it.id === 'cement' ? 'cement' : 'lesion'}:${it.id}`;
      this.lesionGroup.add(m);
      // a see-through copy drawn last without depth test: lesions stay visible inside the bone
      const ghostMat = new THREE.MeshBasicMaterial({ color: it.color, transparent: true, opacity: 0.45, depthTest: false, depthWrite: false });
      const ghost = new THREE.Mesh(geo, ghostMat);
      ghost.renderOrder = 50;
      this.lesionGroup.add(ghost);
    }
    this.applyClipToMaterials();
    this.requestRender();
  }

  /** Foramina as tubes between their anterior and posterior openings; the canal as tube segments. */
  setAnatomy(foramina: readonly Foramen[], canal: Canal | null): void {
    disposeGroup(this.anatomyGroup);
    for (const f of foramina) {
      // cyan (light blue when placed by hand): never a Denis-zone colour
      const mat = new THREE.MeshStandardMaterial({ color: f.source === 'manual' ? 0x4fc3f7 : 0x26c6da, transparent: true, opacity: 0.8, roughness: 0.4 });
      const tube = cylinderBetween(f.anteriorLps, f.posteriorLps, f.radiusMm, f.radiusMm, mat);
      tube.name = `foramen:${f.id}`;
      this.anatomyGroup.add(tube);
    }
    if (canal && canal.centerlineLps.length >= 2) {
      const mat = new THREE.MeshStandardMaterial({ color: 0xfdd835, transparent: true, opacity: 0.55, roughness: 0.4 });
      for (let n = 0; n + 1 < canal.centerlineLps.length; n++) {
        const seg = cylinderBetween(canal.centerlineLps[n]!, canal.centerlineLps[n + 1]!, canal.radiusMm[n] ?? 5, canal.radiusMm[n + 1] ?? 5, mat);
        seg.name = 'canal';
        this.anatomyGroup.add(seg);
      }
    }
    this.applyClipToMaterials();
    this.requestRender();
  }

  /** Needles (true outer diameter, working length back from the tip; the tip at `advance` along entry → target) and ablation zones. */
  setTrajectories(trajectories: readonly Trajectory[], selectedId: string | null): void {
    disposeGroup(this.needleGroup);
    for (const t of trajectories) {
      const sel = t.id === selectedId;
      const { tipLps, hubLps } = needleSegment(t);
      const r = t.needle.outerDiameterMm / 2;
      const shaft = cylinderBetween(hubLps, tipLps, r, r, this.shared(`shaft${sel}`, () => new THREE.MeshStandardMaterial({ color: sel ? 0xeceff1 : 0x90a4ae, metalness: 0.8, roughness: 0.25 })), 16);
      shaft.name = `needle:${t.id}`;
      this.needleGroup.add(shaft);
      const hub = new THREE.Mesh(new THREE.SphereGeometry(Math.max(2.5, 2 * r), 16, 12), this.shared(`hub${sel}`, () => new THREE.MeshStandardMaterial({ color: sel ? 0x42a5f5 : 0x546e7a })));
      hub.position.copy(v3(hubLps));
      this.needleGroup.add(hub);
      // planned target (red sphere) and skin entry (blue cube): drag handles
      const target = new THREE.Mesh(new THREE.SphereGeometry(2, 16, 10), this.shared('target', () => new THREE.MeshBasicMaterial({ color: 0xff1744 })));
      target.position.copy(v3(t.targetLps));
      target.name = `target:${t.id}`;
      this.needleGroup.add(target);
      const entry = new THREE.Mesh(new THREE.BoxGeometry(3.5, 3.5, 3.5), this.shared('entry', () => new THREE.MeshBasicMaterial({ color: 0x29b6f6 })));
      entry.position.copy(v3(t.entryLps));
      entry.name = `entry:${t.id}`;
      this.needleGroup.add(entry);
      for (const z of tipArrived(t) ? t.ablation?.zones ?? [] : []) {
        const e = new THREE.Mesh(new THREE.SphereGeometry(1, 32, 16), this.shared('ablation', () => new THREE.MeshStandardMaterial({ color: 0xff7043, transparent: true, opacity: 0.3, depthWrite: false })));
        e.scale.set(z.diameterMm / 2, z.lengthMm / 2, z.diameterMm / 2);
        e.position.copy(v3(z.centerLps));
        e.quaternion.setFromUnitVectors(Y_UP, v3(z.axisLps).normalize());
        e.name = `ablation:${t.id}`;
        this.needleGroup.add(e);
      }
    }
    this.applyClipToMaterials();
    this.requestRender();
  }

  /** The 2D crosshair: three short axis lines (axial blue, coronal green, sagittal red-ish as in the 2D views) and a dot. */
  setCrosshair(p: Vec3 | null): void {
    disposeGroup(this.crosshairGroup);
    if (p) {
      const len = 25;
      const axes: [Vec3, number][] = [[[1, 0, 0], 0xef5350], [[0, 1, 0], 0x66bb6a], [[0, 0, 1], 0x42a5f5]];
      for (const [a, c] of axes) {
        const g = new THREE.BufferGeometry().setFromPoints([v3([p[0] - a[0] * len, p[1] - a[1] * len, p[2] - a[2] * len]), v3([p[0] + a[0] * len, p[1] + a[1] * len, p[2] + a[2] * len])]);
        const mat = this.shared(`cross${c}`, () => { const m = new THREE.LineBasicMaterial({ color: c, depthTest: false }); m.userData.noClip = true; return m; });
        const line = new THREE.Line(g, mat);
        line.renderOrder = 100;
        this.crosshairGroup.add(line);
      }
      const dotMat = this.shared('crossdot', () => { const m = new THREE.MeshBasicMaterial({ color: 0xffeb3b, depthTest: false }); m.userData.noClip = true; return m; });
      const dot = new THREE.Mesh(new THREE.SphereGeometry(1.6, 12, 8), dotMat);
      dot.position.copy(v3(p));
      dot.renderOrder = 101;
      dot.name = 'crosshair';
      this.crosshairGroup.add(dot);
    }
    this.requestRender();
  }

  /** Clip away the part beyond a plane through `pointLps`: axial → above, coronal → posterior, sagittal → patient left. */
  setClip(mode: ClipMode, pointLps: Vec3 | null): void {
    this.clipMode = mode;
    const p = pointLps ?? this.centreLps;
    // keep the side where normal·x + constant ≥ 0 (three keeps the positive side)
    const nLps: Vec3 = mode === 'axial' ? [0, 0, -1] : mode === 'coronal' ? [0, -1, 0] : [-1, 0, 0];
    const n = lpsToScene([0, 0, 0], nLps), ps = lpsToScene([0, 0, 0], p);
    this.clipPlane.setFromNormalAndCoplanarPoint(new THREE.Vector3(...n), new THREE.Vector3(...ps));
    this.applyClipToMaterials();
    this.requestRender();
  }

  /** Place the camera: a C-arm view from the source side (as the fluoroscopy shows it) or an anatomical one. */
  applyPreset(preset: CameraPreset, selected?: Trajectory | null): void {
    const c = this.centreLps;
    const dist = this.radiusMm / Math.tan((this.camera.fov * Math.PI) / 360) * 1.15;
    let eyeDir: Vec3; // from the target toward the camera, LPS
    let upLps: Vec3 = [0, 0, 1];
    let target: Vec3 = c;
    const carm = (view: CArmViewName) => {
      const g = cArmGeometry({ view, isocentreLps: c, sourceToIsocentreMm: 600, sourceToDetectorMm: 1000, detectorPx: [1, 1], detectorMm: [1, 1] });
      eyeDir = [-g.beamDir[0], -g.beamDir[1], -g.beamDir[2]];
      upLps = [-g.vAxis[0], -g.vAxis[1], -g.vAxis[2]];
    };
    switch (preset) {
      case 'posterior': eyeDir = [0, 1, 0]; break; // the operator's view of the prone patient's back
      case 'AP': carm('AP'); break;
      case 'left-lateral': eyeDir = [1, 0, 0]; break;
      case 'right-lateral': eyeDir = [-1, 0, 0]; break;
      case 'inlet': carm('inlet'); break;
      case 'outlet': carm('outlet'); break;
      case 'bulls-eye': {
        if (!selected) { eyeDir = [0, 1, 0]; break; }
        const d: Vec3 = [selected.entryLps[0] - selected.targetLps[0], selected.entryLps[1] - selected.targetLps[1], selected.entryLps[2] - selected.targetLps[2]];
        const l = Math.hypot(...d) || 1;
        eyeDir = [d[0] / l, d[1] / l, d[2] / l];
        target = selected.targetLps;
        upLps = Math.abs(eyeDir[2]) > 0.9 ? [0, -1, 0] : [0, 0, 1];
        break;
      }
    }
    const eye: Vec3 = [target[0] + eyeDir![0] * dist, target[1] + eyeDir![1] * dist, target[2] + eyeDir![2] * dist];
    const eyeS = lpsToScene([0, 0, 0], eye), tS = lpsToScene([0, 0, 0], target), upS = lpsToScene([0, 0, 0], upLps);
    this.camera.position.set(...eyeS);
    this.camera.up.set(...upS);
    this.camera.near = Math.max(1, dist - 4 * this.radiusMm);
    this.camera.far = dist + 4 * this.radiusMm;
    this.camera.updateProjectionMatrix();
    this.controls.target.set(...tS);
    this.camera.lookAt(this.controls.target);
    this.controls.update();
    this.requestRender();
  }

  /** The LPS point of the bone surface under a canvas pixel (CSS px from the canvas's top left), or null. */
  pickBone(xPx: number, yPx: number): Vec3 | null {
    if (!this.bone) return null;
    const hits = this.rayAt(xPx, yPx).intersectObject(this.bone, false);
    for (const h of hits) {
      if (this.clipMode !== 'none' && this.clipPlane.distanceToPoint(h.point) < 0) continue;
      return sceneToLps([0, 0, 0], [h.point.x, h.point.y, h.point.z]);
    }
    return null;
  }

  private rayAt(xPx: number, yPx: number): THREE.Raycaster {
    const ndc = new THREE.Vector2((xPx / this.width) * 2 - 1, -(yPx / this.height) * 2 + 1);
    const ray = new THREE.Raycaster();
    ray.setFromCamera(ndc, this.camera);
    return ray;
  }

  /** The entry or target handle under a canvas pixel, or null. */
  pickHandle(xPx: number, yPx: number): { kind: 'entry' | 'target'; id: string } | null {
    const handles = this.needleGroup.children.filter((o) => /^(entry|target):/.test(o.name));
    const hit = this.rayAt(xPx, yPx).intersectObjects(handles, false)[0];
    if (!hit) return null;
    const [kind, id] = hit.object.name.split(':') as ['entry' | 'target', string];
    return { kind, id };
  }

  /** Where a canvas pixel meets the plane through `anchorLps` facing the camera (dragging), in LPS. */
  dragPoint(xPx: number, yPx: number, anchorLps: Readonly<Vec3>): Vec3 | null {
    const anchor = new THREE.Vector3(...lpsToScene([0, 0, 0], anchorLps));
    const normal = this.camera.getWorldDirection(new THREE.Vector3());
    const plane = new THREE.Plane().setFromNormalAndCoplanarPoint(normal, anchor);
    const out = new THREE.Vector3();
    if (!this.rayAt(xPx, yPx).ray.intersectPlane(plane, out)) return null;
    return sceneToLps([0, 0, 0], [out.x, out.y, out.z]);
  }

  /** Canvas pixel (CSS px from the top left) of an LPS point. */
  toScreen(pLps: Readonly<Vec3>): [number, number] {
    const v = new THREE.Vector3(...lpsToScene([0, 0, 0], pLps)).project(this.camera);
    return [((v.x + 1) / 2) * this.width, ((1 - v.y) / 2) * this.height];
  }

  /** Triangle counts of the scene's meshes (for the scripting API). */
  meshSummary(): { kind: string; id: string; triangles: number }[] {
    const out: { kind: string; id: string; triangles: number }[] = [];
    this.lps.traverse((o) => {
      const m = o as THREE.Mesh;
      if (!m.isMesh || !m.name) return;
      const [kind, id = ''] = m.name.split(':');
      const g = m.geometry;
      const triangles = g.index ? g.index.count / 3 : g.attributes.position ? g.attributes.position.count / 3 : 0;
      out.push({ kind: kind!, id, triangles });
    });
    return out;
  }

  dispose(): void {
    for (const m of this.sharedMaterials.values()) m.dispose();
    this.controls.dispose();
    disposeGroup(this.lps);
    this.renderer.dispose();
  }
}
