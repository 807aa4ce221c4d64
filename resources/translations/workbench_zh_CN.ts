<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
 <context>
  <name>workbench</name>
  <message>
   <source>&amp;About Vision Workbench</source>
   <translation>关于 Vision Workbench(&amp;A)</translation>
  </message>
  <message>
   <source>&amp;Arrange Nodes</source>
   <translation>自动排列节点(&amp;A)</translation>
  </message>
  <message>
   <source>&amp;Cancel Run</source>
   <translation>取消运行(&amp;C)</translation>
  </message>
  <message>
   <source>&amp;Copy</source>
   <translation>复制(&amp;C)</translation>
  </message>
  <message>
   <source>&amp;Delete</source>
   <translation>删除(&amp;D)</translation>
  </message>
  <message>
   <source>&amp;Edit</source>
   <translation>编辑(&amp;E)</translation>
  </message>
  <message>
   <source>&amp;Examples</source>
   <translation>示例(&amp;E)</translation>
  </message>
  <message>
   <source>&amp;File</source>
   <translation>文件(&amp;F)</translation>
  </message>
  <message>
   <source>&amp;Fit Graph</source>
   <translation>适应窗口(&amp;F)</translation>
  </message>
  <message>
   <source>&amp;Grab Camera Frame</source>
   <translation>抓取相机帧(&amp;G)</translation>
  </message>
  <message>
   <source>&amp;Group into Macro</source>
   <translation>组合为宏(&amp;G)</translation>
  </message>
  <message>
   <source>&amp;Help</source>
   <translation>帮助(&amp;H)</translation>
  </message>
  <message>
   <source>&amp;Language</source>
   <translation>语言(&amp;L)</translation>
  </message>
  <message>
   <source>&amp;Live Tuning</source>
   <translation>实时调参(&amp;L)</translation>
  </message>
  <message>
   <source>&amp;Model Tools…</source>
   <translation>模型工具(&amp;M)…</translation>
  </message>
  <message>
   <source>&amp;New</source>
   <translation>新建(&amp;N)</translation>
  </message>
  <message>
   <source>&amp;Node Help</source>
   <translation>节点帮助(&amp;N)</translation>
  </message>
  <message>
   <source>&amp;Open…</source>
   <translation>打开(&amp;O)…</translation>
  </message>
  <message>
   <source>&amp;Operator Mode…</source>
   <translation>操作员模式(&amp;O)…</translation>
  </message>
  <message>
   <source>&amp;PLC I/O…</source>
   <translation>PLC 输入输出(&amp;P)…</translation>
  </message>
  <message>
   <source>&amp;Paste</source>
   <translation>粘贴(&amp;P)</translation>
  </message>
  <message>
   <source>&amp;Quit</source>
   <translation>退出(&amp;Q)</translation>
  </message>
  <message>
   <source>&amp;Redo</source>
   <translation>重做(&amp;R)</translation>
  </message>
  <message>
   <source>&amp;Run</source>
   <translation>运行(&amp;R)</translation>
  </message>
  <message>
   <source>&amp;Save</source>
   <translation>保存(&amp;S)</translation>
  </message>
  <message>
   <source>&amp;Teach by Example…</source>
   <translation>示教训练(&amp;T)…</translation>
  </message>
  <message>
   <source>&amp;Theme</source>
   <translation>主题(&amp;T)</translation>
  </message>
  <message>
   <source>&amp;Undo</source>
   <translation>撤销(&amp;U)</translation>
  </message>
  <message>
   <source>&amp;View</source>
   <translation>视图(&amp;V)</translation>
  </message>
  <message>
   <source>1:1</source>
   <translation>1:1</translation>
  </message>
  <message>
   <source>A folder run is already in progress</source>
   <translation>已有一个文件夹运行正在进行</translation>
  </message>
  <message>
   <source>About Vision Workbench</source>
   <translation>关于 Vision Workbench</translation>
  </message>
  <message>
   <source>Add</source>
   <translation>添加</translation>
  </message>
  <message>
   <source>Add a Camera node (Sources) first: live view grabs from it.</source>
   <translation>请先添加一个相机节点（来源）：实时画面从它采集。</translation>
  </message>
  <message>
   <source>Add node</source>
   <translation>添加节点</translation>
  </message>
  <message>
   <source>Address</source>
   <translation>地址</translation>
  </message>
  <message>
   <source>Adds the selected images to the model's memory bank: no retraining, undoable</source>
   <translation>将所选图像加入模型的记忆库：无需重新训练，可撤销</translation>
  </message>
  <message>
   <source>All files</source>
   <translation>所有文件</translation>
  </message>
  <message>
   <source>All files (*)</source>
   <translation>所有文件 (*)</translation>
  </message>
  <message>
   <source>Anomaly (good images)</source>
   <translation>异常检测（良品图像）</translation>
  </message>
  <message>
   <source>Auto levels</source>
   <translation>自动色阶</translation>
  </message>
  <message>
   <source>Automatic (GPU when it works)</source>
   <translation>自动（GPU 可用时使用 GPU）</translation>
  </message>
  <message>
   <source>Back from operator mode</source>
   <translation>已从操作员模式返回</translation>
  </message>
  <message>
   <source>Bad images</source>
   <translation>不良品图像</translation>
  </message>
  <message>
   <source>Batch</source>
   <translation>批量</translation>
  </message>
  <message>
   <source>Benchmark</source>
   <translation>性能测试</translation>
  </message>
  <message>
   <source>Benchmark done.</source>
   <translation>性能测试完成。</translation>
  </message>
  <message>
   <source>Benchmarking…</source>
   <translation>正在测试性能…</translation>
  </message>
  <message>
   <source>Browse…</source>
   <translation>浏览…</translation>
  </message>
  <message>
   <source>Busy: wait or cancel first</source>
   <translation>正忙：请等待或先取消</translation>
  </message>
  <message>
   <source>CPU</source>
   <translation>CPU</translation>
  </message>
  <message>
   <source>Calibration Images</source>
   <translation>校准图像</translation>
  </message>
  <message>
   <source>Calibration images:</source>
   <translation>校准图像：</translation>
  </message>
  <message>
   <source>Cancel</source>
   <translation>取消</translation>
  </message>
  <message>
   <source>Cancelled.</source>
   <translation>已取消。</translation>
  </message>
  <message>
   <source>Cancelling…</source>
   <translation>正在取消…</translation>
  </message>
  <message>
   <source>Cannot open</source>
   <translation>无法打开</translation>
  </message>
  <message>
   <source>Cannot recover</source>
   <translation>无法恢复</translation>
  </message>
  <message>
   <source>Cannot save</source>
   <translation>无法保存</translation>
  </message>
  <message>
   <source>Change parameter</source>
   <translation>修改参数</translation>
  </message>
  <message>
   <source>Changes only</source>
   <translation>仅显示变化</translation>
  </message>
  <message>
   <source>Choose a file…</source>
   <translation>选择文件…</translation>
  </message>
  <message>
   <source>Choose a folder</source>
   <translation>选择文件夹</translation>
  </message>
  <message>
   <source>Choose a folder…</source>
   <translation>选择文件夹…</translation>
  </message>
  <message>
   <source>Choose the anomaly model (Model) first.</source>
   <translation>请先选择异常检测模型（模型）。</translation>
  </message>
  <message>
   <source>Choose the folder of class folders first.</source>
   <translation>请先选择包含各类别子文件夹的文件夹。</translation>
  </message>
  <message>
   <source>Choose the folder of good images first.</source>
   <translation>请先选择良品图像文件夹。</translation>
  </message>
  <message>
   <source>Classification (class folders)</source>
   <translation>分类（类别文件夹）</translation>
  </message>
  <message>
   <source>Click to set the threshold</source>
   <translation>单击以设置阈值</translation>
  </message>
  <message>
   <source>Close</source>
   <translation>关闭</translation>
  </message>
  <message>
   <source>Compare</source>
   <translation>对比</translation>
  </message>
  <message>
   <source>Compare the pinned node with the selected one</source>
   <translation>将固定的节点与所选节点对比</translation>
  </message>
  <message>
   <source>Confusion matrix</source>
   <translation>混淆矩阵</translation>
  </message>
  <message>
   <source>Connecting…</source>
   <translation>正在连接…</translation>
  </message>
  <message>
   <source>Copy</source>
   <translation>复制</translation>
  </message>
  <message>
   <source>Copy pixel value</source>
   <translation>复制像素值</translation>
  </message>
  <message>
   <source>D&amp;uplicate</source>
   <translation>复制节点(&amp;U)</translation>
  </message>
  <message>
   <source>Dark</source>
   <translation>深色</translation>
  </message>
  <message>
   <source>Default</source>
   <translation>默认值</translation>
  </message>
  <message>
   <source>Delete</source>
   <translation>删除</translation>
  </message>
  <message>
   <source>Delete link</source>
   <translation>删除连接</translation>
  </message>
  <message>
   <source>Device</source>
   <translation>设备</translation>
  </message>
  <message>
   <source>Draw</source>
   <translation>绘制</translation>
  </message>
  <message>
   <source>Draw a circle in the viewer: from the centre to the rim</source>
   <translation>在查看器中绘制圆：从圆心拖到边缘</translation>
  </message>
  <message>
   <source>Draw a polygon in the viewer: click the corners, double-click to close</source>
   <translation>在查看器中绘制多边形：单击各顶点，双击闭合</translation>
  </message>
  <message>
   <source>Draw a rectangle in the viewer</source>
   <translation>在查看器中绘制矩形</translation>
  </message>
  <message>
   <source>Draw a ring (annulus) in the viewer: from the centre to the outer rim</source>
   <translation>在查看器中绘制圆环：从圆心拖到外缘</translation>
  </message>
  <message>
   <source>Draw a rotated rectangle in the viewer (turn it by its round handle)</source>
   <translation>在查看器中绘制旋转矩形（拖动圆形手柄旋转）</translation>
  </message>
  <message>
   <source>Duplicate</source>
   <translation>创建副本</translation>
  </message>
  <message>
   <source>ERROR</source>
   <translation>错误</translation>
  </message>
  <message>
   <source>End of the source or stopped</source>
   <translation>图像源已结束或已停止</translation>
  </message>
  <message>
   <source>Engineering mode</source>
   <translation>工程模式</translation>
  </message>
  <message>
   <source>Engineering mode…</source>
   <translation>工程模式…</translation>
  </message>
  <message>
   <source>Enter the PLC's address first.</source>
   <translation>请先输入 PLC 地址。</translation>
  </message>
  <message>
   <source>Enter the engineering password to leave the operator screen.</source>
   <translation>请输入工程密码以退出操作员界面。</translation>
  </message>
  <message>
   <source>Enter the password again.</source>
   <translation>请再次输入密码。</translation>
  </message>
  <message>
   <source>Error</source>
   <translation>错误</translation>
  </message>
  <message>
   <source>Errors: {n}</source>
   <translation>错误：{n}</translation>
  </message>
  <message>
   <source>Example</source>
   <translation>示例</translation>
  </message>
  <message>
   <source>Export CSV…</source>
   <translation>导出 CSV…</translation>
  </message>
  <message>
   <source>FP16 (GPU)</source>
   <translation>FP16（GPU）</translation>
  </message>
  <message>
   <source>Find &amp;Node</source>
   <translation>查找节点(&amp;N)</translation>
  </message>
  <message>
   <source>Fit</source>
   <translation>适应</translation>
  </message>
  <message>
   <source>Fit the image into the view (F, or double-click)</source>
   <translation>使图像适应视图（F 或双击）</translation>
  </message>
  <message>
   <source>Fit to view</source>
   <translation>适应窗口</translation>
  </message>
  <message>
   <source>Fix the pipeline first</source>
   <translation>请先修正流程</translation>
  </message>
  <message>
   <source>Folder run</source>
   <translation>文件夹运行</translation>
  </message>
  <message>
   <source>Folder run cancelled</source>
   <translation>文件夹运行已取消</translation>
  </message>
  <message>
   <source>Folder run failed</source>
   <translation>文件夹运行失败</translation>
  </message>
  <message>
   <source>Folder run finished</source>
   <translation>文件夹运行完成</translation>
  </message>
  <message>
   <source>Frame</source>
   <translation>帧</translation>
  </message>
  <message>
   <source>GPU</source>
   <translation>GPU</translation>
  </message>
  <message>
   <source>GPU (CUDA) available</source>
   <translation>GPU (CUDA) 可用</translation>
  </message>
  <message>
   <source>Good images</source>
   <translation>良品图像</translation>
  </message>
  <message>
   <source>Good parts the model rejected (e.g. from the NG archive): added to the memory bank of the model named above</source>
   <translation>被模型拒绝的良品（例如来自 NG 存档）：加入上方所指模型的记忆库</translation>
  </message>
  <message>
   <source>Group into macro</source>
   <translation>组合为宏</translation>
  </message>
  <message>
   <source>Heat maps</source>
   <translation>热力图</translation>
  </message>
  <message>
   <source>Held-out accuracy {0} on {1} images ({2} trained, seed {3}) in {4} s.</source>
   <translation>留出集准确率 {0}（{1} 张图像；训练 {2} 张，随机种子 {3}），用时 {4} 秒。</translation>
  </message>
  <message>
   <source>Help</source>
   <translation>帮助</translation>
  </message>
  <message>
   <source>Histogram</source>
   <translation>直方图</translation>
  </message>
  <message>
   <source>INT8 dynamic</source>
   <translation>INT8 动态</translation>
  </message>
  <message>
   <source>INT8 static (calibrated)</source>
   <translation>INT8 静态（校准）</translation>
  </message>
  <message>
   <source>Images</source>
   <translation>图像</translation>
  </message>
  <message>
   <source>Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff)</source>
   <translation>图像 (*.png *.jpg *.jpeg *.bmp *.tif *.tiff)</translation>
  </message>
  <message>
   <source>Images and videos</source>
   <translation>图像和视频</translation>
  </message>
  <message>
   <source>Images of good parts that were rejected</source>
   <translation>被误判为不良的良品图像</translation>
  </message>
  <message>
   <source>Images of the cell</source>
   <translation>该单元格的图像</translation>
  </message>
  <message>
   <source>In a pipeline file:</source>
   <translation>在流程文件中：</translation>
  </message>
  <message>
   <source>Inference &amp;Device</source>
   <translation>推理设备(&amp;D)</translation>
  </message>
  <message>
   <source>Input</source>
   <translation>输入</translation>
  </message>
  <message>
   <source>Inputs</source>
   <translation>输入</translation>
  </message>
  <message>
   <source>Inspect the next image now (software trigger)</source>
   <translation>立即检测下一张图像（软件触发）</translation>
  </message>
  <message>
   <source>Inspector</source>
   <translation>属性</translation>
  </message>
  <message>
   <source>Keep showing this node while another one is selected</source>
   <translation>选择其他节点时仍显示此节点</translation>
  </message>
  <message>
   <source>Kind</source>
   <translation>类型</translation>
  </message>
  <message>
   <source>Last run</source>
   <translation>上次运行</translation>
  </message>
  <message>
   <source>Latency (ms)</source>
   <translation>延迟 (毫秒)</translation>
  </message>
  <message>
   <source>Light</source>
   <translation>浅色</translation>
  </message>
  <message>
   <source>Link</source>
   <translation>连接</translation>
  </message>
  <message>
   <source>Link an output to an input</source>
   <translation>请将输出连接到输入</translation>
  </message>
  <message>
   <source>Live &amp;Camera</source>
   <translation>实时相机(&amp;C)</translation>
  </message>
  <message>
   <source>Log</source>
   <translation>日志</translation>
  </message>
  <message>
   <source>Machine vision pipelines, tuned live.</source>
   <translation>机器视觉流程，实时调参。</translation>
  </message>
  <message>
   <source>Macro</source>
   <translation>宏</translation>
  </message>
  <message>
   <source>Main toolbar</source>
   <translation>主工具栏</translation>
  </message>
  <message>
   <source>Mark files as good…</source>
   <translation>将文件标记为良品…</translation>
  </message>
  <message>
   <source>Mark selected as good</source>
   <translation>将所选标记为良品</translation>
  </message>
  <message>
   <source>Meaning</source>
   <translation>含义</translation>
  </message>
  <message>
   <source>Memory bank now {0} patches ({1}; audit line written)</source>
   <translation>记忆库现有 {0} 个图块（{1}；已写入审计记录）</translation>
  </message>
  <message>
   <source>Message</source>
   <translation>消息</translation>
  </message>
  <message>
   <source>Model</source>
   <translation>模型</translation>
  </message>
  <message>
   <source>Model Tools</source>
   <translation>模型工具</translation>
  </message>
  <message>
   <source>Model file</source>
   <translation>模型文件</translation>
  </message>
  <message>
   <source>Model read.</source>
   <translation>模型已读取。</translation>
  </message>
  <message>
   <source>Model written: {0}</source>
   <translation>模型已写入：{0}</translation>
  </message>
  <message>
   <source>Model:</source>
   <translation>模型：</translation>
  </message>
  <message>
   <source>Move</source>
   <translation>移动</translation>
  </message>
  <message>
   <source>NG count register</source>
   <translation>NG 计数寄存器</translation>
  </message>
  <message>
   <source>NG frame</source>
   <translation>NG 图像</translation>
  </message>
  <message>
   <source>Name, id or description; Enter adds the best match, Down moves to the list</source>
   <translation>名称、ID 或描述；回车添加最佳匹配，向下键移到列表</translation>
  </message>
  <message>
   <source>New</source>
   <translation>新结果</translation>
  </message>
  <message>
   <source>New password</source>
   <translation>新密码</translation>
  </message>
  <message>
   <source>Next image</source>
   <translation>下一张图像</translation>
  </message>
  <message>
   <source>No NG frames since the counters were reset.</source>
   <translation>计数清零后尚无 NG 图像。</translation>
  </message>
  <message>
   <source>No engineering password can be read ({state}). The operator screen stays locked: an administrator must set it (workbench password set).</source>
   <translation>无法读取工程密码（{state}）。操作员界面保持锁定：须由管理员设置密码（workbench password set）。</translation>
  </message>
  <message>
   <source>No image</source>
   <translation>无图像</translation>
  </message>
  <message>
   <source>No images in</source>
   <translation>没有图像：</translation>
  </message>
  <message>
   <source>No node matches.</source>
   <translation>没有匹配的节点。</translation>
  </message>
  <message>
   <source>No reason given</source>
   <translation>未给出原因</translation>
  </message>
  <message>
   <source>Node</source>
   <translation>节点</translation>
  </message>
  <message>
   <source>Node Times</source>
   <translation>节点耗时</translation>
  </message>
  <message>
   <source>Node {0} uses {1}</source>
   <translation>节点 {0} 使用 {1}</translation>
  </message>
  <message>
   <source>Nodes</source>
   <translation>节点库</translation>
  </message>
  <message>
   <source>Not used in this mode</source>
   <translation>此模式下不使用</translation>
  </message>
  <message>
   <source>Note</source>
   <translation>提示</translation>
  </message>
  <message>
   <source>OK</source>
   <translation>正常</translation>
  </message>
  <message>
   <source>OK count register</source>
   <translation>OK 计数寄存器</translation>
  </message>
  <message>
   <source>ONNX model file</source>
   <translation>ONNX 模型文件</translation>
  </message>
  <message>
   <source>ONNX models (*.onnx)</source>
   <translation>ONNX 模型 (*.onnx)</translation>
  </message>
  <message>
   <source>One image pixel per screen pixel (1)</source>
   <translation>一个图像像素对应一个屏幕像素（1）</translation>
  </message>
  <message>
   <source>One view; drag the divider to compare</source>
   <translation>单视图；拖动分隔线进行对比</translation>
  </message>
  <message>
   <source>Open &amp;Recent</source>
   <translation>最近打开(&amp;R)</translation>
  </message>
  <message>
   <source>Open Model</source>
   <translation>打开模型</translation>
  </message>
  <message>
   <source>Open macro</source>
   <translation>打开宏</translation>
  </message>
  <message>
   <source>Open pipeline</source>
   <translation>打开流程</translation>
  </message>
  <message>
   <source>Open…</source>
   <translation>打开…</translation>
  </message>
  <message>
   <source>Operator</source>
   <translation>操作员</translation>
  </message>
  <message>
   <source>Operator mode</source>
   <translation>操作员模式</translation>
  </message>
  <message>
   <source>Operator mode needs an engineering password.</source>
   <translation>操作员模式需要工程密码。</translation>
  </message>
  <message>
   <source>Operator mode needs an engineering password. Choose the password that engineers will need to leave the operator screen (at least {n} characters).</source>
   <translation>操作员模式需要工程密码。请设置工程师离开操作员界面时所需的密码（至少 {n} 个字符）。</translation>
  </message>
  <message>
   <source>Operator mode needs an engineering password: {how}</source>
   <translation>操作员模式需要工程密码：{how}</translation>
  </message>
  <message>
   <source>Operator screen · the pipeline is read-only</source>
   <translation>操作员界面 · 流程只读</translation>
  </message>
  <message>
   <source>Outcome</source>
   <translation>结论</translation>
  </message>
  <message>
   <source>Output:</source>
   <translation>输出：</translation>
  </message>
  <message>
   <source>Outputs</source>
   <translation>输出</translation>
  </message>
  <message>
   <source>PLC I/O</source>
   <translation>PLC 输入/输出</translation>
  </message>
  <message>
   <source>Parameter</source>
   <translation>参数</translation>
  </message>
  <message>
   <source>Parameters</source>
   <translation>参数</translation>
  </message>
  <message>
   <source>Password</source>
   <translation>密码</translation>
  </message>
  <message>
   <source>Paste</source>
   <translation>粘贴</translation>
  </message>
  <message>
   <source>Per class</source>
   <translation>各类别</translation>
  </message>
  <message>
   <source>Pick folders, or drag them here.</source>
   <translation>选择文件夹，或将其拖到此处。</translation>
  </message>
  <message>
   <source>Pin</source>
   <translation>固定</translation>
  </message>
  <message>
   <source>Pipeline</source>
   <translation>流程</translation>
  </message>
  <message>
   <source>Pipeline being edited, replayed over</source>
   <translation>正在编辑的流程，重放于</translation>
  </message>
  <message>
   <source>Pipelines (*.json)</source>
   <translation>流程文件 (*.json)</translation>
  </message>
  <message>
   <source>Pixel count per value (256 bins)</source>
   <translation>每个灰度值的像素数（256 级）</translation>
  </message>
  <message>
   <source>Plots</source>
   <translation>图表</translation>
  </message>
  <message>
   <source>Port</source>
   <translation>端口</translation>
  </message>
  <message>
   <source>Previous image</source>
   <translation>上一张图像</translation>
  </message>
  <message>
   <source>Problem</source>
   <translation>问题</translation>
  </message>
  <message>
   <source>Problems</source>
   <translation>问题</translation>
  </message>
  <message>
   <source>Quantize</source>
   <translation>量化</translation>
  </message>
  <message>
   <source>Quantized.</source>
   <translation>量化完成。</translation>
  </message>
  <message>
   <source>Quantizing…</source>
   <translation>正在量化…</translation>
  </message>
  <message>
   <source>READY</source>
   <translation>就绪</translation>
  </message>
  <message>
   <source>RECENT NG  (click to enlarge)</source>
   <translation>最近的 NG（点击放大）</translation>
  </message>
  <message>
   <source>ROC</source>
   <translation>ROC 曲线</translation>
  </message>
  <message>
   <source>Range</source>
   <translation>范围</translation>
  </message>
  <message>
   <source>Re&amp;play on Past Inspections…</source>
   <translation>用历史检测重放(&amp;P)…</translation>
  </message>
  <message>
   <source>Re-link</source>
   <translation>重新连接</translation>
  </message>
  <message>
   <source>Re-run the changed part of the pipeline after every edit</source>
   <translation>每次修改后重新运行流程中受影响的部分</translation>
  </message>
  <message>
   <source>Reading the model…</source>
   <translation>正在读取模型…</translation>
  </message>
  <message>
   <source>Reasons</source>
   <translation>原因</translation>
  </message>
  <message>
   <source>Reconnecting…</source>
   <translation>正在重新连接…</translation>
  </message>
  <message>
   <source>Recorded</source>
   <translation>原记录</translation>
  </message>
  <message>
   <source>Recover unsaved work</source>
   <translation>恢复未保存的工作</translation>
  </message>
  <message>
   <source>Recovered unsaved work from</source>
   <translation>已恢复未保存的工作：</translation>
  </message>
  <message>
   <source>Repeat the password</source>
   <translation>再次输入密码</translation>
  </message>
  <message>
   <source>Replay</source>
   <translation>重放</translation>
  </message>
  <message>
   <source>Replay failed</source>
   <translation>重放失败</translation>
  </message>
  <message>
   <source>Replay on past inspections</source>
   <translation>用历史检测重放</translation>
  </message>
  <message>
   <source>Reset &amp;Layout</source>
   <translation>重置布局(&amp;L)</translation>
  </message>
  <message>
   <source>Reset counters</source>
   <translation>计数清零</translation>
  </message>
  <message>
   <source>Reset to default</source>
   <translation>恢复默认值</translation>
  </message>
  <message>
   <source>Results database</source>
   <translation>结果数据库</translation>
  </message>
  <message>
   <source>Results databases (*.db *.sqlite);;All files (*)</source>
   <translation>结果数据库 (*.db *.sqlite);;所有文件 (*)</translation>
  </message>
  <message>
   <source>Rolling yield % (last 50)</source>
   <translation>滚动良率 %（最近 50 个）</translation>
  </message>
  <message>
   <source>Run failed</source>
   <translation>运行失败</translation>
  </message>
  <message>
   <source>Run over &amp;Folder…</source>
   <translation>运行文件夹(&amp;F)…</translation>
  </message>
  <message>
   <source>Run over folder</source>
   <translation>运行文件夹</translation>
  </message>
  <message>
   <source>Running</source>
   <translation>运行中</translation>
  </message>
  <message>
   <source>Runs</source>
   <translation>次数</translation>
  </message>
  <message>
   <source>STOPPED</source>
   <translation>已停止</translation>
  </message>
  <message>
   <source>Save &amp;As…</source>
   <translation>另存为(&amp;A)…</translation>
  </message>
  <message>
   <source>Save pipeline</source>
   <translation>保存流程</translation>
  </message>
  <message>
   <source>Saved</source>
   <translation>已保存</translation>
  </message>
  <message>
   <source>Score histogram</source>
   <translation>分数直方图</translation>
  </message>
  <message>
   <source>Search nodes…</source>
   <translation>搜索节点…</translation>
  </message>
  <message>
   <source>Select a node to see its parameters.</source>
   <translation>选择一个节点以查看其参数。</translation>
  </message>
  <message>
   <source>Select a node, then press F1 for its help</source>
   <translation>请先选择一个节点，再按 F1 查看其帮助</translation>
  </message>
  <message>
   <source>Select the images to mark as good in the heat maps first.</source>
   <translation>请先在热力图中选择要标记为良品的图像。</translation>
  </message>
  <message>
   <source>Series</source>
   <translation>数据系列</translation>
  </message>
  <message>
   <source>Set password</source>
   <translation>设置密码</translation>
  </message>
  <message>
   <source>Set the engineering password</source>
   <translation>设置工程密码</translation>
  </message>
  <message>
   <source>Show all</source>
   <translation>全部显示</translation>
  </message>
  <message>
   <source>Show on the macro</source>
   <translation>显示在宏上</translation>
  </message>
  <message>
   <source>Show the histogram and drag the display levels</source>
   <translation>显示直方图并拖动显示色阶</translation>
  </message>
  <message>
   <source>Side by side</source>
   <translation>并排</translation>
  </message>
  <message>
   <source>Source (empty: the pipeline's own images, looped; or camera:0, url:rtsp://…, video:FILE, folder:DIR):</source>
   <translation>图像源（留空：流程自带的图像，循环；或 camera:0、url:rtsp://…、video:文件、folder:文件夹）：</translation>
  </message>
  <message>
   <source>Split</source>
   <translation>分割</translation>
  </message>
  <message>
   <source>Start</source>
   <translation>开始</translation>
  </message>
  <message>
   <source>Stop</source>
   <translation>停止</translation>
  </message>
  <message>
   <source>Stop browsing: back to the pipeline's own input</source>
   <translation>停止浏览：返回流程自身的输入</translation>
  </message>
  <message>
   <source>Stopped</source>
   <translation>已停止</translation>
  </message>
  <message>
   <source>Stopped before this image was inspected</source>
   <translation>在此图像检测完成前已停止</translation>
  </message>
  <message>
   <source>Stretch the levels to the minimum and maximum of every new image</source>
   <translation>将色阶拉伸到每幅新图像的最小值和最大值</translation>
  </message>
  <message>
   <source>T1 {0} · T2 {1} — good: {2} OK, {3} uncertain, {4} NG · bad: {5} OK, {6} uncertain, {7} NG</source>
   <translation>T1 {0} · T2 {1} — 良品：{2} OK，{3} 不确定，{4} NG · 不良品：{5} OK，{6} 不确定，{7} NG</translation>
  </message>
  <message>
   <source>TOTAL</source>
   <translation>总数</translation>
  </message>
  <message>
   <source>TREND</source>
   <translation>趋势</translation>
  </message>
  <message>
   <source>Teach</source>
   <translation>示教</translation>
  </message>
  <message>
   <source>Teach by example</source>
   <translation>示教训练</translation>
  </message>
  <message>
   <source>Test write</source>
   <translation>测试写入</translation>
  </message>
  <message>
   <source>The password needs at least {n} characters, without leading or trailing spaces.</source>
   <translation>密码至少需要 {n} 个字符，且首尾不能有空格。</translation>
  </message>
  <message>
   <source>The pipeline gives no verdict</source>
   <translation>该流程不输出判定结果</translation>
  </message>
  <message>
   <source>The pipeline has unsaved changes. Save them?</source>
   <translation>流程有未保存的修改。是否保存？</translation>
  </message>
  <message>
   <source>The two passwords differ. Type the same password twice.</source>
   <translation>两次输入的密码不一致，请输入相同的密码。</translation>
  </message>
  <message>
   <source>This node has no parameters.</source>
   <translation>此节点没有参数。</translation>
  </message>
  <message>
   <source>This pipeline writes files to
{folder}
outside the run's output folder.

Allow writing there? Your answer is kept in your own settings, not in the pipeline.</source>
   <translation>此流程会把文件写入
{folder}
该位置在本次运行的输出文件夹之外。

允许写入该位置吗？您的选择保存在您自己的设置中，而不是流程文件中。</translation>
  </message>
  <message>
   <source>Threads</source>
   <translation>线程</translation>
  </message>
  <message>
   <source>Time</source>
   <translation>时间</translation>
  </message>
  <message>
   <source>Time (ms)</source>
   <translation>时间 (ms)</translation>
  </message>
  <message>
   <source>Too many wrong passwords: locked for {s} s.</source>
   <translation>密码错误次数过多：已锁定 {s} 秒。</translation>
  </message>
  <message>
   <source>Total count register (-1: none)</source>
   <translation>总数寄存器（-1：不使用）</translation>
  </message>
  <message>
   <source>Train</source>
   <translation>训练</translation>
  </message>
  <message>
   <source>Trained on {0} good images in {1} s; held out: {2} good, {3} bad (seed {4}). Memory bank {5} patches, model {6} MB, {7} ms per image. AUROC {8}.</source>
   <translation>用 {0} 张良品图像训练，用时 {1} 秒；留出：{2} 张良品、{3} 张不良品（随机种子 {4}）。记忆库 {5} 个图块，模型 {6} MB，每张图像 {7} 毫秒。AUROC {8}。</translation>
  </message>
  <message>
   <source>Training cancelled; nothing was written.</source>
   <translation>训练已取消；未写入任何文件。</translation>
  </message>
  <message>
   <source>Training…</source>
   <translation>正在训练…</translation>
  </message>
  <message>
   <source>Trends</source>
   <translation>趋势</translation>
  </message>
  <message>
   <source>Trigger</source>
   <translation>触发</translation>
  </message>
  <message>
   <source>Trigger input</source>
   <translation>触发输入</translation>
  </message>
  <message>
   <source>Two views, zoom and pan linked</source>
   <translation>两个视图，缩放和平移联动</translation>
  </message>
  <message>
   <source>Undo last mark</source>
   <translation>撤销上次标记</translation>
  </message>
  <message>
   <source>Unit</source>
   <translation>单元号</translation>
  </message>
  <message>
   <source>Unlink</source>
   <translation>断开连接</translation>
  </message>
  <message>
   <source>Unlock</source>
   <translation>解锁</translation>
  </message>
  <message>
   <source>Unsaved changes</source>
   <translation>未保存的修改</translation>
  </message>
  <message>
   <source>Untitled</source>
   <translation>未命名</translation>
  </message>
  <message>
   <source>Use in pipeline</source>
   <translation>用于流程</translation>
  </message>
  <message>
   <source>Value</source>
   <translation>数值</translation>
  </message>
  <message>
   <source>Verdict (1 OK, 2 NG, 3 error; coil: on = OK)</source>
   <translation>判定（1 OK，2 NG，3 错误；线圈：置位 = OK）</translation>
  </message>
  <message>
   <source>Viewer</source>
   <translation>图像</translation>
  </message>
  <message>
   <source>Vision Workbench did not close normally. Restore the unsaved pipeline?</source>
   <translation>Vision Workbench 上次未正常关闭。是否恢复未保存的流程？</translation>
  </message>
  <message>
   <source>Waiting for the first frame</source>
   <translation>等待第一帧图像</translation>
  </message>
  <message>
   <source>Whole image</source>
   <translation>整幅图像</translation>
  </message>
  <message>
   <source>Write outside the output folder?</source>
   <translation>写入输出文件夹之外？</translation>
  </message>
  <message>
   <source>Wrong password. Try again in {s} s.</source>
   <translation>密码错误。请 {s} 秒后重试。</translation>
  </message>
  <message>
   <source>YIELD</source>
   <translation>良率</translation>
  </message>
  <message>
   <source>Zoom in</source>
   <translation>放大</translation>
  </message>
  <message>
   <source>Zoom out</source>
   <translation>缩小</translation>
  </message>
  <message>
   <source>Zoom: screen pixels per image pixel</source>
   <translation>缩放：每个图像像素对应的屏幕像素</translation>
  </message>
  <message>
   <source>added</source>
   <translation>已添加</translation>
  </message>
  <message>
   <source>adding to the memory bank</source>
   <translation>正在加入记忆库</translation>
  </message>
  <message>
   <source>anomaly score</source>
   <translation>异常分数</translation>
  </message>
  <message>
   <source>app default</source>
   <translation>应用默认</translation>
  </message>
  <message>
   <source>bad</source>
   <translation>不良</translation>
  </message>
  <message>
   <source>cached</source>
   <translation>已缓存</translation>
  </message>
  <message>
   <source>cancelled</source>
   <translation>已取消</translation>
  </message>
  <message>
   <source>class</source>
   <translation>类别</translation>
  </message>
  <message>
   <source>division by zero</source>
   <translation>除以零</translation>
  </message>
  <message>
   <source>error</source>
   <translation>错误</translation>
  </message>
  <message>
   <source>errors</source>
   <translation>错误</translation>
  </message>
  <message>
   <source>evaluating held-out images</source>
   <translation>正在评估留出图像</translation>
  </message>
  <message>
   <source>extracting features</source>
   <translation>正在提取特征</translation>
  </message>
  <message>
   <source>failed</source>
   <translation>失败</translation>
  </message>
  <message>
   <source>false</source>
   <translation>否</translation>
  </message>
  <message>
   <source>false-positive rate</source>
   <translation>假阳性率</translation>
  </message>
  <message>
   <source>folder of calibration images</source>
   <translation>校准图像文件夹</translation>
  </message>
  <message>
   <source>folder of good images (20-100)</source>
   <translation>良品图像文件夹（20-100 张）</translation>
  </message>
  <message>
   <source>folder with one sub-folder per class (or train/ and test/)</source>
   <translation>每个类别一个子文件夹的文件夹（或 train/ 和 test/）</translation>
  </message>
  <message>
   <source>follows the image depth</source>
   <translation>随图像位深变化</translation>
  </message>
  <message>
   <source>forced by WORKBENCH_FORCE_CPU</source>
   <translation>由 WORKBENCH_FORCE_CPU 强制</translation>
  </message>
  <message>
   <source>good</source>
   <translation>良品</translation>
  </message>
  <message>
   <source>heat maps</source>
   <translation>正在生成热力图</translation>
  </message>
  <message>
   <source>images</source>
   <translation>张图像</translation>
  </message>
  <message>
   <source>images in</source>
   <translation>张图像，位于</translation>
  </message>
  <message>
   <source>inspections from</source>
   <translation>条检测记录，来自</translation>
  </message>
  <message>
   <source>missing entry</source>
   <translation>缺少条目</translation>
  </message>
  <message>
   <source>missing image</source>
   <translation>缺少图像</translation>
  </message>
  <message>
   <source>model file to write (.onnx)</source>
   <translation>要写入的模型文件 (.onnx)</translation>
  </message>
  <message>
   <source>more</source>
   <translation>更多</translation>
  </message>
  <message>
   <source>ms per image (median)</source>
   <translation>每张图像毫秒数（中位数）</translation>
  </message>
  <message>
   <source>newly NG</source>
   <translation>新增 NG</translation>
  </message>
  <message>
   <source>newly OK</source>
   <translation>新增 OK</translation>
  </message>
  <message>
   <source>none</source>
   <translation>无</translation>
  </message>
  <message>
   <source>not connected</source>
   <translation>未连接</translation>
  </message>
  <message>
   <source>optional</source>
   <translation>可选</translation>
  </message>
  <message>
   <source>optional: folder of bad images (sets the threshold)</source>
   <translation>可选：不良品图像文件夹（用于设定阈值）</translation>
  </message>
  <message>
   <source>output model (.onnx)</source>
   <translation>输出模型 (.onnx)</translation>
  </message>
  <message>
   <source>precision</source>
   <translation>精确率</translation>
  </message>
  <message>
   <source>ran</source>
   <translation>个已运行</translation>
  </message>
  <message>
   <source>reading bad images</source>
   <translation>正在读取不良品图像</translation>
  </message>
  <message>
   <source>reading good images</source>
   <translation>正在读取良品图像</translation>
  </message>
  <message>
   <source>reading held-out images</source>
   <translation>正在读取留出图像</translation>
  </message>
  <message>
   <source>reading training images</source>
   <translation>正在读取训练图像</translation>
  </message>
  <message>
   <source>recall</source>
   <translation>召回率</translation>
  </message>
  <message>
   <source>running</source>
   <translation>运行中</translation>
  </message>
  <message>
   <source>scoring bad images</source>
   <translation>正在为不良品图像打分</translation>
  </message>
  <message>
   <source>scoring held-out good images</source>
   <translation>正在为留出良品图像打分</translation>
  </message>
  <message>
   <source>selecting the memory bank</source>
   <translation>正在选择记忆库</translation>
  </message>
  <message>
   <source>skipped</source>
   <translation>已跳过</translation>
  </message>
  <message>
   <source>stopped</source>
   <translation>已停止</translation>
  </message>
  <message>
   <source>the clipboard does not hold workbench nodes</source>
   <translation>剪贴板中没有 Workbench 节点</translation>
  </message>
  <message>
   <source>this build has no GPU support</source>
   <translation>此版本不支持 GPU</translation>
  </message>
  <message>
   <source>training the head</source>
   <translation>正在训练分类头</translation>
  </message>
  <message>
   <source>true</source>
   <translation>是</translation>
  </message>
  <message>
   <source>true-positive rate</source>
   <translation>真阳性率</translation>
  </message>
  <message>
   <source>unchanged</source>
   <translation>未变化</translation>
  </message>
  <message>
   <source>undone</source>
   <translation>已撤销</translation>
  </message>
  <message>
   <source>value</source>
   <translation>数值</translation>
  </message>
  <message>
   <source>writing the model</source>
   <translation>正在写入模型</translation>
  </message>
  <message>
   <source>{0} classes, {1} images</source>
   <translation>{0} 个类别，{1} 张图像</translation>
  </message>
  <message>
   <source>{fps:.1f} fps · latency {ms} ms</source>
   <translation>{fps:.1f} 帧/秒 · 延迟 {ms} 毫秒</translation>
  </message>
  <message>
   <source>… and more</source>
   <translation>… 以及更多</translation>
  </message>
  <message>
   <source>→ {0}</source>
   <translation>→ {0}</translation>
  </message>
 </context>
</TS>
